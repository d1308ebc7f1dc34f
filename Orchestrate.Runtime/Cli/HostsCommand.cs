using System.Diagnostics;
using Orchestrate.Remote;
using Orchestrate.Remote.Inventory;
using Orchestrate.Remote.OpenSsh;

namespace Orchestrate.Cli;

/// <summary><c>hosts</c>: the inventory, and with <c>--check</c>, whether each host can be reached and why not.</summary>
internal static class HostsCommand
{
    /// <summary><c>hosts --disconnect</c>: closes the connections earlier runs kept open with <c>--persist</c>.</summary>
    public static async Task<int> DisconnectAsync(TextWriter output)
    {
        var closed = await OpenSshTransport.CloseKeptAsync().ConfigureAwait(false);
        await output.WriteLineAsync(closed == 0 ? "no connection was kept open" : $"closed {closed} connection{(closed == 1 ? "" : "s")} kept open by --persist").ConfigureAwait(false);
        return ExitCodes.Success;
    }

    public static async Task<int> RunAsync(Inventory? inventory, string? limit, bool check, int forks, TextWriter output, CancellationToken cancellationToken)
    {
        if (inventory is null)
        {
            throw new UsageException("no inventory is configured: add an Inventory section to appsettings.json, or pass --inventory FILE");
        }

        IReadOnlyList<HostSpec> hosts;
        try
        {
            hosts = inventory.Limit(inventory.Hosts, limit);
        }
        catch (InventoryException e)
        {
            throw new UsageException(e.Message);
        }

        // Everything here comes from the inventory: control and bidirectional characters are shown as escapes.
        static string Safe(string text) => Text.Visible(text);
        var width = hosts.Count == 0 ? 0 : hosts.Max(h => Safe(h.Name).Length);
        if (!check)
        {
            foreach (var host in hosts)
            {
                var login = (host.User is null ? "" : host.User + "@") + host.Target + (host.Port is { } port ? $":{port}" : "");
                var groups = host.Groups.Count == 0 ? "" : $"  groups: {string.Join(", ", host.Groups)}";
                var vars = host.Vars.Count == 0 ? "" : $"  vars: {string.Join(", ", host.Vars.Select(v => $"{v.Key}={v.Value}"))}";
                await output.WriteLineAsync(Safe($"{Safe(host.Name).PadRight(width)}  {login}{groups}{vars}")).ConfigureAwait(false);
            }

            return ExitCodes.Success;
        }

        await using var transport = new OpenSshTransport();
        using var gate = new SemaphoreSlim(Math.Max(1, forks));
        var results = await Task.WhenAll(hosts.Select(async host =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            var clock = Stopwatch.StartNew();
            try
            {
                var connection = await transport.ConnectAsync(host, null, cancellationToken).ConfigureAwait(false);
                var result = await connection.RunAsync(new RemoteCommand("true"), null, cancellationToken).ConfigureAwait(false);
                return (host, ok: result.ExitCode == 0, text: $"reachable ({clock.Elapsed.TotalSeconds:0.00} s)");
            }
            catch (HostUnreachableException e)
            {
                return (host, ok: false, text: $"unreachable: {e.Reason}");
            }
            finally
            {
                gate.Release();
            }
        })).ConfigureAwait(false);
        foreach (var (host, _, text) in results)
        {
            await output.WriteLineAsync(Safe($"{Safe(host.Name).PadRight(width)}  {text}")).ConfigureAwait(false);
        }

        return results.All(r => r.ok) ? ExitCodes.Success : ExitCodes.TaskFailed;
    }
}
