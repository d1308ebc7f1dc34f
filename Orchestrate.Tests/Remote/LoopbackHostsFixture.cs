using Orchestrate.Remote;
using Orchestrate.Remote.Testbed;
using Orchestrate.Tests.Remote.Testbed;
using Orchestrate.Tests.Runtime;

namespace Orchestrate.Tests.Remote;

/// <summary>Three loopback sshd hosts (group <c>lab</c>) for a fixture's tests, and a harness whose inventory holds them.</summary>
public abstract class LoopbackHostsFixture
{
    protected LoopbackTestbed Testbed { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartHosts() => Testbed = await TestbedFixture.StartOrIgnoreAsync(3);

    [OneTimeTearDown]
    public async Task StopHosts()
    {
        if (Testbed is not null)
        {
            await Testbed.DisposeAsync();
        }
    }

    internal CliHarness Harness() => new() { Inventory = InventoryBuilder.FromTestbed(Testbed) };
}
