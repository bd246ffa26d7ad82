// The settings the change guard (changeGuard.ts) watches, each with what changing it on a live stack would
// do and the safe way instead. Apart from the guard so that the validation of `allowDestructiveChanges`
// (validation/changes.ts) can name them without importing the guard, which imports args.ts (an import loop).

/** Moving a cluster: new objects on the same NFS directories while the old pods still run on them. */
const KEEP_IDENTITY = (setting: string) =>
    "the new objects would point new PersistentVolumes at the same NFS directories while the old pods still run " +
    `on them (two servers on one data directory). Keep the ${setting}; to move a cluster, deploy a new stack on new ` +
    "nfsPaths and restore a backup into it (restoreFrom).";
/** A retained PersistentVolume's NFS source. */
const NFS_SOURCE = (volume: string) =>
    `${volume}'s NFS source cannot change: its replacement is kept (retainOnDelete) and the new one collides with it`;
/** The application's account, made once. */
const APP_ACCOUNT =
    "the database and the user are made only when mysql-0 initialises an empty data directory: on a deployed " +
    "cluster the change would do nothing. Run CREATE DATABASE / CREATE USER / GRANT on the primary first (they " +
    "replicate), then set the same names here with this opt-in.";

/** What changing each guarded setting would do, and the safe procedure: the change table in docs/operations.md says the same. */
export const GUARDED_SETTINGS = {
    name: KEEP_IDENTITY("name"),
    namespace: KEEP_IDENTITY("namespace"),
    clusterDomain:
        "every pod's DNS name, the certificate and the replicas' source host change at once. Keep it: it must be " +
        "the cluster's real DNS domain.",
    flavor:
        "the new server cannot read the data directory (another server family or series): init-mysql refuses it " +
        "and the pods crash-loop. Keep the flavor; to change it, deploy a new stack and load a logical dump.",
    image:
        "the data directory was written by another server series, and only a supported upgrade (a patch release, " +
        "or one release-series step) can read it; downgrades never. Upgrade one supported step at a time.",
    nfsServer:
        `${NFS_SOURCE("a PersistentVolume")}. \`nfsServer\` holds the backup volume, and every data volume unless ` +
        "`nfsServers` spreads them. Keep it: a server that must be replaced keeps its name or address (copy the data " +
        "with the pods stopped), or deploy a new stack on the new server and restore a backup into it (restoreFrom).",
    nfsPaths:
        "a PersistentVolume's NFS source cannot change, and one removed stays in the cluster (retained), so a later " +
        "re-create fails with AlreadyExists. Append paths for new ordinals only; keep the existing ones.",
    nfsPathPattern: `${NFS_SOURCE("a PersistentVolume")}. Keep the pattern; it only decides the paths of volumes not yet made.`,
    nfsServers:
        `${NFS_SOURCE("a PersistentVolume")}. Keep the list as it is (the ordinals ` +
        "rotate through it, so a server added or removed moves other ordinals' volumes too); a lost server is replaced " +
        'by a new one under the same name or address, and its pods clone again (docs/nfs.md, "When one server is lost").',
    maxReplicas:
        "the PersistentVolumes of the highest ordinals would leave the state but stay in the cluster (retained), " +
        "so raising it again fails with AlreadyExists. Keep maxReplicas (scaling replicas down needs no change), " +
        "or delete those PersistentVolumes with kubectl first when their data is not needed.",
    storageRequest:
        "the StatefulSet's volumeClaimTemplates cannot change: it is replaced (its pods are orphaned and adopted, " +
        "not deleted), but the existing claims keep their size; only new ordinals get the new request. Grow the " +
        "NFS export and volumeCapacity instead.",
    storageClassName:
        "the StatefulSet is replaced (its pods are orphaned and adopted, not deleted) and the PersistentVolumes are " +
        "re-labelled, but the existing claims keep their class; pods of new ordinals could not bind. Keep it.",
    backupVolumeCapacity:
        "the backup claim's request would change, and a claim bound to a static NFS volume cannot be resized: the " +
        "update fails. Grow the NFS export instead; the capacity is only what the volume advertises.",
    appDatabase: APP_ACCOUNT,
    appUser: APP_ACCOUNT,
    selectorLabels:
        "the StatefulSet's selector cannot change in place: it would be replaced, and its running pods, which do " +
        "not carry the new labels, would be neither adopted nor replaced (the new StatefulSet cannot make pods of " +
        'the same names). A cluster deployed before this setting has the legacy labels: set selectorLabels to "legacy" ' +
        "to keep it as it is, or move it to the recommended labels as docs/labels.md says (label the pods first).",
    backupNfsPath: `${NFS_SOURCE("the backup PersistentVolume")}. Keep the path; copy the backups to a new export first if it must move.`,
} as const;

export type GuardedSetting = keyof typeof GUARDED_SETTINGS;
