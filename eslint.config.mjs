// ESLint for product and test code alike (`npm run lint`): typescript-eslint's recommended rules (the set
// without type information: the type-checked set's no-unsafe-* rules flag every read of the untyped JSON
// that the mock runtime, the policy SDK and rendered YAML hand over), plus the two type-aware rules that
// catch real mistakes here: @pulumi/eslint-plugin's (an Output in a template literal renders a warning
// text, not its value) and no-floating-promises. Formatting is Prettier's business (.prettierrc.json).
import js from "@eslint/js";
import pulumi from "@pulumi/eslint-plugin";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["bin/", "node_modules/", "policy/bin/", "policy/node_modules/", ".test-output/"] },
    js.configs.recommended,
    {
        files: ["**/*.ts"],
        extends: [tseslint.configs.recommended],
        languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
        plugins: { "@pulumi": pulumi },
        rules: {
            "@pulumi/no-output-in-template-literal": "error",
            "@pulumi/no-output-instance-in-template-literal": "error",
            "@typescript-eslint/no-floating-promises": "error",
            // A leading underscore marks a name left unused on purpose (e.g. fields destructured away).
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
        },
    },
    {
        // The few plain CommonJS files (scripts/render.cjs starts the render before anything is compiled):
        // Node's globals that they use.
        files: ["**/*.cjs"],
        languageOptions: { sourceType: "commonjs", globals: { __dirname: "readonly", process: "readonly" } },
    },
    {
        // Tests assert on the mock runtime's recorded inputs and on rendered objects: untyped JSON, checked
        // by exact deepStrictEqual rather than by types.
        files: ["tests/**/*.ts"],
        rules: { "@typescript-eslint/no-explicit-any": "off" },
    },
);
