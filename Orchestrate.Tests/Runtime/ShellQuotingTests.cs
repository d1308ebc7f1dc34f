using Orchestrate.Execution;

namespace Orchestrate.Tests.Runtime;

[TestFixture]
public class ShellQuotingTests
{
    [TestCase("plain")]
    [TestCase("with space")]
    [TestCase("it's")]
    [TestCase("$(touch /tmp/orchestrate-pwned)")]
    [TestCase("back\\slash")]
    [TestCase("new\nline")]
    [TestCase("\"double\" `tick` *glob* ~home ;semi &amp |pipe")]
    [TestCase("héllo wörld ✓")]
    [TestCase("")]
    public async Task A_quoted_value_reaches_the_program_unchanged_through_sh(string value)
    {
        var runner = new ProcessRunner();
        var spec = ProcessSpec.ForShell($"printf '%s' {ShellQuoting.Quote(value)}", Path.GetTempPath());

        var outcome = await runner.RunAsync(spec, null, CancellationToken.None);

        Assert.That(outcome.Result.ExitCode, Is.EqualTo(0));
        // Output is captured as the program wrote it.
        Assert.That(outcome.Result.StdOut, Is.EqualTo(value));
        Assert.That(File.Exists("/tmp/orchestrate-pwned"), Is.False);
    }

    [Test]
    public async Task A_program_that_does_not_exist_is_a_clear_error()
    {
        var runner = new ProcessRunner();

        var error = Assert.ThrowsAsync<ProcessStartException>(() =>
            runner.RunAsync(ProcessSpec.ForArgv(["no-such-program-xyz", "arg"], Path.GetTempPath()), null, CancellationToken.None));

        Assert.That(error!.Message, Does.StartWith("cannot start `no-such-program-xyz arg`:"));
        await Task.CompletedTask;
    }
}
