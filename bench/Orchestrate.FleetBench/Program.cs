using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Orchestrate;
using Orchestrate.Remote.Testbed;

// Usage:
//   Orchestrate.FleetBench bench --work DIR [--hosts 20] [--reps 3] [--c-reps 1] [--skip ansible-b,ansible-c]
//       (--reps: runs per tool for (0), (a), (b); --c-reps: for (c)) starts a loopback testbed, runs every scenario with Orchestrate and the peers, prints RESULT lines and a summary.
//   Orchestrate.FleetBench run <local|a|b|c> [orchestrate arguments...]
//       the Orchestrate program a user would run (the bench runs it as a child process per measurement):
//       local: one local no-op task `noop`; a: host task `fanout` (`echo ok`); b: host task `steps` (50 remote steps,
//       in order per host); c: host task `ship` (ships payload/** to fleetbench-orch-{host}). Hosts: group `lab`.
if (args.Length >= 2 && args[0] == "run")
{
    return await Orchestrator.RunAsync(args[2..], new OrchestratorSettings { Tasks = FleetTasks.For(args[1]) });
}

if (args.Length >= 1 && args[0] == "testbed")
{
    // testbed --work DIR [--hosts N]: start the testbed, write the configurations, wait for Enter (for trying things by hand).
    return await FleetBench.ServeAsync(args[1..]);
}

if (args.Length >= 1 && args[0] == "bench")
{
    return await FleetBench.RunAsync(args[1..]);
}

Console.Error.WriteLine("usage: Orchestrate.FleetBench bench --work DIR [--hosts N] [--reps N] [--skip ansible-b,ansible-c]");
Console.Error.WriteLine("       Orchestrate.FleetBench run <local|a|b|c> [orchestrate arguments...]");
return 2;

internal static class FleetTasks
{
    public const int Steps = 50;

    public static IReadOnlyList<TaskDescriptor> For(string scenario) => scenario switch
    {
        "local" => [new TaskDescriptor { Name = "noop", Invoke = _ => ValueTask.FromResult<object?>(null) }],
        "a" => [HostTask("fanout", [new RemoteStepSpec("echo ok")], [])],
        "b" => [HostTask("steps", Enumerable.Range(1, Steps).Select(i => new RemoteStepSpec($"echo step {i}")).ToArray(), [])],
        "c" => [HostTask("ship", [], [new ShipSpec("payload/**", "fleetbench-orch-{host}")])],
        _ => throw new ArgumentException($"unknown scenario '{scenario}' (local, a, b or c)"),
    };

    private static TaskDescriptor HostTask(string name, RemoteStepSpec[] steps, ShipSpec[] ships) => new()
    {
        Name = name,
        Hosts = "lab",
        RemoteSteps = steps,
        Ships = ships,
        Invoke = _ => ValueTask.FromResult<object?>(null),
    };
}

internal sealed record Sample(double Seconds, int[] Auths);

internal static class FleetBench
{
    private const string RemoteHome = "/home/orchestrate";
    private const int SmallFiles = 200;
    private const int BigMegabytes = 50;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly Dictionary<string, List<Sample>> Samples = new(StringComparer.Ordinal);
    private static readonly List<string> Problems = [];

    private static LoopbackTestbed s_testbed = null!;
    private static string s_work = "";
    private static string s_self = "";
    private static int s_reps = 3;
    private static int s_cReps = 1;

    public static async Task<int> ServeAsync(string[] args)
    {
        s_work = Path.GetFullPath(args[Array.IndexOf(args, "--work") + 1]);
        var hosts = Array.IndexOf(args, "--hosts") is var at and >= 0 ? int.Parse(args[at + 1], Inv) : 20;
        Directory.CreateDirectory(s_work);
        await using var testbed = await LoopbackTestbed.StartAsync(new LoopbackTestbedOptions { Hosts = hosts, Port = 0, StartTimeout = TimeSpan.FromSeconds(30) });
        s_testbed = testbed;
        WriteConfigs();
        MakePayload(Path.Combine(s_work, "payload"));
        Console.WriteLine($"testbed up: ssh -F {testbed.SshConfigFile} node1; inventory {File("inventory.yml")}; Enter, Ctrl+C or SIGTERM stops it");
        // Stopped by Enter or by a signal alike, so that the hosts' sshd processes are always stopped with it.
        var stop = new TaskCompletionSource();
        void Stop(System.Runtime.InteropServices.PosixSignalContext context)
        {
            context.Cancel = true;
            stop.TrySetResult();
        }

        using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, Stop);
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, Stop);
        _ = Task.Run(() =>
        {
            Console.ReadLine();
            stop.TrySetResult();
        });
        await stop.Task;
        return 0;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var hosts = 20;
        var skip = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--work": s_work = Path.GetFullPath(args[i + 1]); break;
                case "--hosts": hosts = int.Parse(args[i + 1], Inv); break;
                case "--reps": s_reps = int.Parse(args[i + 1], Inv); break;
                case "--c-reps": s_cReps = int.Parse(args[i + 1], Inv); break;
                case "--skip": skip.UnionWith(args[i + 1].Split(',', StringSplitOptions.RemoveEmptyEntries)); break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }

        if (s_work.Length == 0)
        {
            Console.Error.WriteLine("--work DIR is required");
            return 2;
        }

        s_self = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
        // A cold start: no connection kept open by an earlier run with --persist.
        await Orchestrate.Remote.OpenSsh.OpenSshTransport.CloseKeptAsync();
        if (Directory.Exists(s_work)) Directory.Delete(s_work, recursive: true);
        Directory.CreateDirectory(s_work);
        CleanRemote();

        Console.WriteLine($"== starting {hosts} loopback sshd hosts; {Environment.ProcessorCount} cores; load average {LoadAverage()}");
        await using var testbed = await LoopbackTestbed.StartAsync(new LoopbackTestbedOptions { Hosts = hosts, Port = 0, StartTimeout = TimeSpan.FromSeconds(30) });
        s_testbed = testbed;
        WriteConfigs();
        Console.WriteLine($"== testbed: {testbed.Hosts[0].Address}..{testbed.Hosts[^1].Address} port {testbed.Hosts[0].Port}; work directory {s_work}");

        Console.WriteLine("== (0) floors: 20 fresh ssh connections, and the Orchestrate process alone");
        for (var r = 0; r < s_reps; r++)
        {
            await TimeAsync("floor.ssh", $"bash {Q(Script("ssh-true.sh"))}");
            await TimeAsync("floor.process", $"{Q(s_self)} run local --no-color -C {Q(Project("local", r))}");
        }

        Console.WriteLine("== (a) one command on every host");
        for (var r = 0; r < s_reps; r++)
        {
            await OrchestrateAsync("a", "fanout", r, "a.orchestrate", output => Count(output, " | ok") == hosts);
            await TimeAsync("a.pssh", $"parallel-ssh -h {Q(File("pssh-hosts"))} -p {hosts} -t 120 -x {Q("-F " + testbed.SshConfigFile + " -o BatchMode=yes")} -i 'echo ok'",
                output => Count(output, "[SUCCESS]") == hosts);
            await TimeAsync("a.clush", $"clush -w node[1-{hosts}] -f {hosts} -o {Q("-F " + testbed.SshConfigFile)} 'echo ok'",
                output => Count(output, ": ok") == hosts);
            await TimeAsync("a.ansible", Ansible($"ansible lab -i {Q(File("inventory.yml"))} -f {hosts} -m raw -a 'echo ok'"),
                output => Count(output, "CHANGED") == hosts);
        }

        Console.WriteLine($"== (b) {FleetTasks.Steps} commands per host, in order on each host");
        for (var r = 0; r < s_reps; r++)
        {
            await OrchestrateAsync("b", "steps", r, "b.orchestrate", output => Count(output, $" | step {FleetTasks.Steps}") == hosts);
            await TimeAsync("b.ssh-mux", $"bash {Q(Script("ssh-mux.sh"))}", output => Count(output, $"step {FleetTasks.Steps}") == hosts);
        }

        if (skip.Contains("ansible-b"))
        {
            Console.WriteLine("   ansible-b skipped");
        }
        else
        {
            await TimeAsync("b.ansible", Ansible($"ansible-playbook -i {Q(File("inventory.yml"))} -f {hosts} {Q(File("steps.yml"))}"),
                output => output.Contains($"ok={FleetTasks.Steps} ", StringComparison.Ordinal) && Count(output, $"changed={FleetTasks.Steps} ") == hosts);
        }

        Console.WriteLine($"== (c) ship {SmallFiles} files of 1 KB and one of {BigMegabytes} MB to every host, then again with nothing changed");
        MakePayload(Path.Combine(s_work, "payload"));
        for (var r = 0; r < s_cReps; r++)
        {
            CleanRemote();
            var project = Project("c", r);
            CopyTree(Path.Combine(s_work, "payload"), Path.Combine(project, "payload"));
            await OrchestrateAsync("c", "ship", r, "c.orchestrate.cold", output => Count(output, $"ship: sent {SmallFiles + 1} of {SmallFiles + 1} files") == hosts, fresh: false);
            Verify("c.orchestrate.cold", "fleetbench-orch-");
            await OrchestrateAsync("c", "ship", r, "c.orchestrate.again", output => Count(output, "::ship_file:payload/** (up to date)") == hosts, fresh: false);
            // With --persist (connections kept after a run, as Ansible's ControlPersist): a run that keeps them, then
            // the figure, a run that reuses them (no key exchange, no login); then they are closed.
            await OrchestrateAsync("c", "ship", r, "c.orchestrate.keep", output => Count(output, "::ship_file:payload/** (up to date)") == hosts, fresh: false, extra: "--persist 60");
            await OrchestrateAsync("c", "ship", r, "c.orchestrate.again.persist", output => Count(output, "::ship_file:payload/** (up to date)") == hosts, fresh: false, extra: "--persist 60");
            await TimeAsync("c.disconnect", $"{Q(s_self)} run c hosts --disconnect -C {Q(Project("c", r))} -i {Q(File("inventory.yml"))}");
            CleanRemote();
            await TimeAsync("c.tar", $"bash {Q(Script("tar-stream.sh"))}");
            Verify("c.tar", "fleetbench-tar-");
            CleanRemote();
            await TimeAsync("c.rsync.cold", $"bash {Q(Script("rsync.sh"))}");
            Verify("c.rsync.cold", "fleetbench-rsync-");
            await TimeAsync("c.rsync.again", $"bash {Q(Script("rsync.sh"))}");
        }

        if (skip.Contains("ansible-c"))
        {
            Console.WriteLine("   ansible-c skipped");
        }
        else
        {
            CleanRemote();
            var copy = Ansible($"ansible-playbook -i {Q(File("inventory.yml"))} -f {hosts} {Q(File("ship.yml"))}");
            await TimeAsync("c.ansible.cold", copy, output => Count(output, "failed=0") == hosts);
            Verify("c.ansible.cold", "fleetbench-ansible-");
            await TimeAsync("c.ansible.again", copy, output => Count(output, "changed=0") == hosts);
        }

        CleanRemote();
        Console.WriteLine($"== done; load average {LoadAverage()}");
        Summary(hosts);
        return Problems.Count == 0 ? 0 : 1;
    }

    // ---- measuring -------------------------------------------------------------------------------------------

    private static async Task OrchestrateAsync(string scenario, string task, int rep, string key, Func<string, bool> check, bool fresh = true, string extra = "")
    {
        var project = fresh ? Project(scenario, rep) : Path.Combine(s_work, $"project-{scenario}-{rep}");
        await TimeAsync(key, $"{Q(s_self)} run {scenario} {task} --no-color -C {Q(project)} -i {Q(File("inventory.yml"))} -j 20 --forks 20 {extra}", check);
    }

    private static async Task TimeAsync(string key, string command, Func<string, bool>? check = null)
    {
        var before = s_testbed.Hosts.Select(s_testbed.CountAuthentications).ToArray();
        var log = Path.Combine(s_work, "logs", $"{key}.{(Samples.TryGetValue(key, out var l) ? l.Count : 0)}.log");
        Directory.CreateDirectory(Path.GetDirectoryName(log)!);
        var info = new ProcessStartInfo("/bin/bash") { UseShellExecute = false, WorkingDirectory = s_work };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add($"exec >{Q(log)} 2>&1 </dev/null; {command}");
        var watch = Stopwatch.StartNew();
        using (var process = Process.Start(info)!)
        {
            await process.WaitForExitAsync();
            watch.Stop();
            var output = System.IO.File.ReadAllText(log);
            if (process.ExitCode != 0 || (check is not null && !check(output)))
            {
                var problem = $"{key}: exit code {process.ExitCode}{(process.ExitCode == 0 ? ", output not as expected" : "")} (log {log}; command: {command})";
                Problems.Add(problem);
                Console.WriteLine($"   PROBLEM {problem}");
                foreach (var line in output.Split('\n').TakeLast(15)) Console.WriteLine($"     {line}");
            }
        }

        // sshd logs the login before the session starts, but give a late line a moment.
        await Task.Delay(50);
        var auths = s_testbed.Hosts.Select((h, i) => s_testbed.CountAuthentications(h) - before[i]).ToArray();
        var sample = new Sample(watch.Elapsed.TotalSeconds, auths);
        if (!Samples.TryGetValue(key, out var list)) Samples[key] = list = [];
        list.Add(sample);
        Console.WriteLine($"   {key,-22} {sample.Seconds,7:F2} s   sshd authentications per host {AuthText(auths)}");
        Console.WriteLine($"RESULT {key}.{list.Count - 1}.seconds {sample.Seconds.ToString("F3", Inv)}");
    }

    private static string AuthText(int[] auths) =>
        auths.Min() == auths.Max() ? auths[0].ToString(Inv) : $"{auths.Min()}..{auths.Max()} (total {auths.Sum()})";

    private static double? Median(string key)
    {
        if (!Samples.TryGetValue(key, out var list) || list.Count == 0) return null;
        var sorted = list.Select(s => s.Seconds).Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static int Count(string text, string what)
    {
        var count = 0;
        for (var at = text.IndexOf(what, StringComparison.Ordinal); at >= 0; at = text.IndexOf(what, at + what.Length, StringComparison.Ordinal)) count++;
        return count;
    }

    // ---- summary ---------------------------------------------------------------------------------------------

    private static string S(string key) => Median(key) is { } m ? $"{m:F2} s" : "n/a";

    private static string Ratio(string numerator, string denominator) =>
        Median(numerator) is { } n && Median(denominator) is { } d && d > 0 ? $"{n / d:F2}x" : "n/a";

    private static void Summary(int hosts)
    {
        foreach (var (key, list) in Samples)
        {
            Console.WriteLine($"RESULT {key}.median.seconds {Median(key)!.Value.ToString("F3", Inv)}");
            Console.WriteLine($"RESULT {key}.auth_per_host {AuthText(list[^1].Auths)}");
        }

        Console.WriteLine($"== summary: {hosts} hosts, cold start (no open connections) for every run; medians of {s_reps} runs for (0), (a), (b), of {s_cReps} for (c); Ansible (b) and (c): one run; load average {LoadAverage()}");
        Console.WriteLine($"(0) floors: {hosts} parallel `ssh host true` {S("floor.ssh")} | Orchestrate process with one local no-op task {S("floor.process")}");
        Console.WriteLine($"(a) orchestrate {S("a.orchestrate")} | pssh {S("a.pssh")} | clush {S("a.clush")} | ansible {S("a.ansible")} | ratio pssh/orchestrate {Ratio("a.pssh", "a.orchestrate")}, ansible/orchestrate {Ratio("a.ansible", "a.orchestrate")}");
        Console.WriteLine($"(b) orchestrate {S("b.orchestrate")} | one multiplexed ssh per command {S("b.ssh-mux")} | ansible playbook {S("b.ansible")} | ratio ansible/orchestrate {Ratio("b.ansible", "b.orchestrate")}, ssh-mux/orchestrate {Ratio("b.ssh-mux", "b.orchestrate")}");
        Console.WriteLine($"(c) cold: orchestrate {S("c.orchestrate.cold")} | tar stream over ssh {S("c.tar")} | rsync {S("c.rsync.cold")} | ansible synchronize {S("c.ansible.cold")} | ratio orchestrate/tar {Ratio("c.orchestrate.cold", "c.tar")}");
        Console.WriteLine($"(c) again, nothing changed: orchestrate {S("c.orchestrate.again")}, with --persist (connections kept by the run before) {S("c.orchestrate.again.persist")} | rsync {S("c.rsync.again")} | ansible synchronize {S("c.ansible.again")}");
        // Runs that reuse kept connections log in no more: they are left out of the one-login-per-host check.
        var authKeys = Samples.Keys.Where(k => k.Contains("orchestrate", StringComparison.Ordinal) && !k.EndsWith(".persist", StringComparison.Ordinal)).ToList();
        Console.WriteLine("sshd authentications per host, per run: " + string.Join(", ", Samples.Keys.Select(k => $"{k} {AuthText(Samples[k][^1].Auths)}")));

        Verdict("(b) <= 3 s including connection setup", Median("b.orchestrate") is { } b && b <= 3,
            $"{S("b.orchestrate")}; ansible/orchestrate {Ratio("b.ansible", "b.orchestrate")} (40x asked)");
        Verdict("(a) no slower than pssh", Median("a.orchestrate") is { } a && Median("a.pssh") is { } p && a <= p,
            $"orchestrate {S("a.orchestrate")} vs pssh {S("a.pssh")}");
        Verdict("(c) cold within 1.3x of the plain tar stream", Median("c.orchestrate.cold") is { } c && Median("c.tar") is { } t && c <= 1.3 * t,
            $"orchestrate {S("c.orchestrate.cold")} vs tar {S("c.tar")}: {Ratio("c.orchestrate.cold", "c.tar")}");
        // Twenty fresh connections alone cost more than a second here (the floor), so the second run is held to the
        // target with the connections the run before kept (--persist, as Ansible's ControlPersist); with fresh ones
        // it is reported against that floor.
        Verdict("(c) again with nothing changed <= 1 s, connections kept by --persist", Median("c.orchestrate.again.persist") is { } gp && gp <= 1,
            $"orchestrate {S("c.orchestrate.again.persist")}, sshd authentications per host {(Samples.TryGetValue("c.orchestrate.again.persist", out var kept) ? AuthText(kept[^1].Auths) : "n/a")}");
        Console.WriteLine($"(c) again with fresh connections: orchestrate {S("c.orchestrate.again")}, of which opening 20 connections (the floor) {S("floor.ssh")}: "
            + $"{(Median("c.orchestrate.again") is { } g && Median("floor.ssh") is { } f ? $"{g - f:F2} s above it" : "n/a")}");
        var allOne = authKeys.All(k => Samples[k].All(s => s.Auths.All(n => n == 1)));
        Verdict("one sshd authentication per host and user in every Orchestrate run", allOne && authKeys.Count > 0,
            string.Join(", ", authKeys.Select(k => $"{k}: {string.Join("/", Samples[k].Select(s => AuthText(s.Auths)))}")));
        if (Problems.Count > 0)
        {
            Console.WriteLine($"problems ({Problems.Count}):");
            foreach (var problem in Problems) Console.WriteLine($"  {problem}");
        }
    }

    private static void Verdict(string target, bool met, string figures) =>
        Console.WriteLine($"target {target}: {(met ? "met" : "MISSED")} ({figures})");

    // ---- files -----------------------------------------------------------------------------------------------

    private static string File(string name) => Path.Combine(s_work, name);

    private static string Script(string name) => Path.Combine(s_work, name);

    private static string Project(string scenario, int rep)
    {
        var path = Path.Combine(s_work, $"project-{scenario}-{rep}");
        Directory.CreateDirectory(path);
        return path;
    }

    private static void WriteConfigs()
    {
        var tb = s_testbed;
        var cfg = tb.SshConfigFile;
        var hosts = tb.Hosts.Select(h => h.Name).ToArray();
        System.IO.File.WriteAllText(File("pssh-hosts"), string.Join("\n", hosts) + "\n");

        // One inventory for Ansible and Orchestrate (which reads Ansible's YAML format). Host key checking on.
        var inventory = new StringBuilder("all:\n  children:\n    lab:\n      hosts:\n");
        foreach (var h in tb.Hosts)
        {
            inventory.Append(CultureInfo.InvariantCulture, $"        {h.Name}:\n")
                .Append(CultureInfo.InvariantCulture, $"          ansible_host: {h.Address}\n")
                .Append(CultureInfo.InvariantCulture, $"          ansible_port: {h.Port}\n")
                .Append(CultureInfo.InvariantCulture, $"          ansible_user: {h.User}\n")
                .Append(CultureInfo.InvariantCulture, $"          ansible_ssh_private_key_file: {tb.IdentityFile}\n")
                .Append(CultureInfo.InvariantCulture, $"          ansible_ssh_common_args: \"-o UserKnownHostsFile={tb.KnownHostsFile} -o GlobalKnownHostsFile=/dev/null -o IdentitiesOnly=yes\"\n");
        }

        System.IO.File.WriteAllText(File("inventory.yml"), inventory.ToString());

        var steps = new StringBuilder("- hosts: lab\n  gather_facts: false\n  tasks:\n");
        for (var i = 1; i <= FleetTasks.Steps; i++) steps.Append(CultureInfo.InvariantCulture, $"    - raw: echo step {i}\n");
        System.IO.File.WriteAllText(File("steps.yml"), steps.ToString());

        // synchronize runs rsync on the controller, which ignores ansible_ssh_common_args: use_ssh_args passes the
        // ssh_args Ansible() sets (with the testbed's known_hosts; verify_host keeps host key checking on).
        System.IO.File.WriteAllText(File("ship.yml"),
            $"""
            - hosts: lab
              gather_facts: false
              tasks:
                - ansible.posix.synchronize:
                    src: {s_work}/payload/
                    dest: {RemoteHome}/fleetbench-ansible-{"{{ inventory_hostname }}"}/
                    verify_host: true
                    use_ssh_args: true
                    compress: false
                    archive: true

            """);

        var parallel = "pids=(); for h in " + string.Join(' ', hosts) + "; do one \"$h\" & pids+=($!); done\nfail=0; for p in \"${pids[@]}\"; do wait \"$p\" || fail=1; done; exit $fail\n";
        System.IO.File.WriteAllText(Script("ssh-true.sh"), $"one() {{ ssh -F {Q(cfg)} -o BatchMode=yes \"$1\" true; }}\n{parallel}");
        System.IO.File.WriteAllText(Script("ssh-mux.sh"),
            $$"""
            # One ControlMaster connection per host, then {{FleetTasks.Steps}} sequential `ssh -S socket host cmd`, hosts in parallel.
            dir=$(mktemp -d /tmp/fbmux.XXXXXX); trap 'rm -rf "$dir"' EXIT
            one() {
              local h=$1 s=$dir/$1
              ssh -F {{Q(cfg)}} -o BatchMode=yes -o ControlMaster=yes -o ControlPath="$s" -o ControlPersist=yes -fN "$h" || return 1
              for i in $(seq 1 {{FleetTasks.Steps}}); do ssh -F {{Q(cfg)}} -o BatchMode=yes -o ControlPath="$s" "$h" "echo step $i" || return 1; done | tail -n 1 | sed "s/^/$h: /"
              local rc=${PIPESTATUS[0]}
              ssh -F {{Q(cfg)}} -o ControlPath="$s" -O exit "$h" 2>/dev/null
              return $rc
            }

            """ + parallel);
        System.IO.File.WriteAllText(Script("tar-stream.sh"),
            $"one() {{ tar -c -f - -C {Q(Path.Combine(s_work, "payload"))} . | ssh -F {Q(cfg)} -o BatchMode=yes \"$1\" \"mkdir -p fleetbench-tar-$1 && tar -x -f - -C fleetbench-tar-$1\"; }}\n{parallel}");
        System.IO.File.WriteAllText(Script("rsync.sh"),
            $"one() {{ rsync -a -e {Q($"ssh -F {cfg} -o BatchMode=yes")} {Q(Path.Combine(s_work, "payload") + "/")} \"$1:fleetbench-rsync-$1/\"; }}\n{parallel}");
    }

    /// <summary>Ansible with its own home and a fresh ControlPersist directory per run (a cold start); the
    /// persisted masters it leaves are closed afterwards so the next run starts cold too.</summary>
    private static string Ansible(string command)
    {
        var cp = "$(mktemp -d /tmp/fbans.XXXXXX)";
        return $"export ANSIBLE_HOME={Q(File("ansible-home"))} ANSIBLE_LOCAL_TEMP={Q(File("ansible-home/tmp"))} ANSIBLE_NOCOLOR=1 " +
               $"ANSIBLE_HOST_KEY_CHECKING=True ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3 ANSIBLE_SSH_CONTROL_PATH_DIR={cp} " +
               $"ANSIBLE_SSH_ARGS={Q($"-C -o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile={s_testbed.KnownHostsFile} -o GlobalKnownHostsFile=/dev/null")}; " +
               $"{command}; rc=$?; for s in \"$ANSIBLE_SSH_CONTROL_PATH_DIR\"/*; do [ -S \"$s\" ] && ssh -o ControlPath=\"$s\" -O exit x >/dev/null 2>&1; done; " +
               "rm -rf \"$ANSIBLE_SSH_CONTROL_PATH_DIR\"; exit $rc";
    }

    private static void MakePayload(string dir)
    {
        Directory.CreateDirectory(dir);
        var random = new Random(42);
        for (var i = 0; i < SmallFiles; i++)
        {
            var bytes = new byte[1024];
            random.NextBytes(bytes);
            System.IO.File.WriteAllBytes(Path.Combine(dir, $"small-{i:D3}.dat"), bytes);
        }

        var big = new byte[BigMegabytes * 1024 * 1024];
        random.NextBytes(big);
        System.IO.File.WriteAllBytes(Path.Combine(dir, "big.bin"), big);
    }

    private static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) System.IO.File.Copy(file, Path.Combine(to, Path.GetFileName(file)), overwrite: true);
    }

    /// <summary>The shipped tree on the first and last host matches the payload (file count and the big file's hash).</summary>
    private static void Verify(string key, string prefix)
    {
        var payload = Path.Combine(s_work, "payload");
        var expected = Hash(Path.Combine(payload, "big.bin"));
        foreach (var host in new[] { s_testbed.Hosts[0], s_testbed.Hosts[^1] })
        {
            var dir = Path.Combine(RemoteHome, prefix + host.Name);
            var count = Directory.Exists(dir) ? Directory.GetFiles(dir, "*", SearchOption.AllDirectories).Length : 0;
            var big = Path.Combine(dir, "big.bin");
            if (count != SmallFiles + 1 || !System.IO.File.Exists(big) || Hash(big) != expected)
            {
                var problem = $"{key}: {dir} holds {count} files (expected {SmallFiles + 1}) or big.bin differs";
                Problems.Add(problem);
                Console.WriteLine($"   PROBLEM {problem}");
            }
        }
    }

    private static string Hash(string path)
    {
        using var stream = System.IO.File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream));
    }

    private static void CleanRemote()
    {
        if (!Directory.Exists(RemoteHome)) return;
        foreach (var dir in Directory.GetDirectories(RemoteHome, "fleetbench-*")) Directory.Delete(dir, recursive: true);
    }

    private static string LoadAverage() =>
        System.IO.File.Exists("/proc/loadavg") ? string.Join(' ', System.IO.File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    /// <summary>Single-quotes for bash.</summary>
    private static string Q(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
