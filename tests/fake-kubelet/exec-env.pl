# fake kubelet: the last step before a container's (or exec's) command runs, inside the container.
# Replaces the whole environment with the NUL-separated KEY=VALUE records of the given files
# (so values never appear in any argv, and nothing of the fake kubelet's environment leaks in),
# changes to the working directory and execs the command, searching the new PATH.
#
# usage: perl exec-env.pl --env FILE --cwd DIR -- COMMAND [ARG]...
use strict;
use warnings;

my (@files, $cwd);
while (@ARGV) {
    my $opt = shift @ARGV;
    last if $opt eq '--';
    if ($opt eq '--env') { push @files, shift @ARGV; }
    elsif ($opt eq '--cwd') { $cwd = shift @ARGV; }
    else { die "exec-env.pl: unknown option $opt\n"; }
}
die "exec-env.pl: no command\n" unless @ARGV;

my %env;
for my $f (@files) {
    open(my $fh, '<:raw', $f) or die "fake kubelet: cannot read $f: $!\n";
    local $/ = "\0";
    while (my $rec = <$fh>) {
        chomp $rec;
        next unless length $rec;
        my ($k, $v) = split /=/, $rec, 2;
        $env{$k} = defined $v ? $v : '';
    }
    close $fh;
}
%ENV = %env;

if (defined $cwd) {
    unless (chdir $cwd) {
        print STDERR "fake kubelet: cannot change to working directory $cwd: $!\n";
        exit 128;
    }
}
{ no warnings 'exec'; exec { $ARGV[0] } @ARGV; }
my $err = $!;
print STDERR "fake kubelet: exec \"$ARGV[0]\": $err\n";
exit($!{ENOENT} ? 127 : 126);
