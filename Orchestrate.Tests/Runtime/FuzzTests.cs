using System.Text;

namespace Orchestrate.Tests.Runtime;

/// <summary>
/// Hostile input, generated: inventories mutated at random (values replaced by hostile ones, keys dropped, doubled
/// or invented, files cut short or spliced with bytes) and every run option given hostile values. Whatever the input,
/// the command ends within its time with exit code 0, 1 or 2 and, on an error, one line: never a stack trace, a
/// crash or a hang. Seeded, so that a failure can be replayed.
/// </summary>
[TestFixture]
public class FuzzTests
{
    private static readonly string[] HostileValues =
    [
        "null", "\"\"", "0", "-1", "1e400", "4294968", "2147483648", "\"x\"", "[]", "{}", "true", "[1, 2]", "{ \"a\": { \"b\": [] } }",
        "\"a\\nb\"", "\"\\u202e\"", "\"\\u0000\"", "\"" + new string('x', 5000) + "\"", "\"~\"", "\"../../etc\"", "\"-oProxyCommand=touch /tmp/orch-fuzz\"",
        "\"StrictHostKeyChecking=no\"", "\"/dev/null\"", "\"[a-\"", "\"web[1:0]\"", "\"*\"", "\"{host}\"", "\"é\"",
    ];

    private static readonly string[] Keys =
    [
        "Address", "Port", "User", "IdentityFile", "KnownHostsFile", "HostKeyChecking", "SshArguments", "ConnectTimeoutSeconds",
        "MaxChannels", "Vars", "Hosts", "Groups", "Children", "Defaults", "Inventory", "Bogus",
    ];

    private const string Valid = """
        {
          "Defaults": { "User": "deploy", "Port": 22, "ConnectTimeoutSeconds": 5 },
          "Hosts": {
            "web[1:3]": { "Address": "10.0.0.[1:3]", "Vars": { "role": "web" } },
            "db1": { "Address": "10.0.1.1", "SshArguments": ["-o", "ProxyJump=bastion"], "MaxChannels": 4 }
          },
          "Groups": {
            "web": { "Hosts": ["web1", "web2", "web3"], "Vars": { "tier": "front" } },
            "prod": { "Children": ["web"], "Hosts": ["db1"] }
          }
        }
        """;

    private const string ValidYaml = """
        all:
          vars:
            ansible_user: deploy
          children:
            web:
              hosts:
                web[1:3]:
                  ansible_host: 10.0.0.1
              vars:
                tier: front
            db:
              hosts:
                db1:
                  ansible_port: 2222
                  orchestrate_max_channels: 4
        """;

    public static IEnumerable<TestCaseData> Seeds() => Enumerable.Range(1, 8).Select(seed => new TestCaseData(seed).SetArgDisplayNames($"seed {seed}"));

    [TestCaseSource(nameof(Seeds))]
    public async Task Mutated_inventories_give_a_result_or_one_line(int seed)
    {
        var random = new Random(seed);
        using var cli = new CliHarness();
        cli.Add("noop", _ => Task.CompletedTask);
        for (var i = 0; i < 40; i++)
        {
            var yaml = random.Next(4) == 0;
            var text = Mutate(random, yaml ? ValidYaml : Valid, yaml);
            var file = yaml ? "hosts.yml" : "hosts.json";
            File.WriteAllText(cli.PathOf(file), text);
            string[] args = random.Next(3) switch
            {
                0 => ["hosts", "--inventory", file],
                1 => ["hosts", "--inventory", file, "--limit", Pick(random, ["web", "prod:!web1", "", ",", "~[", "nothing", "db*"])],
                _ => ["noop", "--inventory", file],
            };

            await AssertOneLineAsync(cli, args, $"seed {seed}, case {i}: {string.Join(' ', args)} with\n{text}");
        }
    }

    public static IEnumerable<TestCaseData> Options()
    {
        string[] options = ["-j", "--jobs", "--forks", "--persist", "--timeout", "--resource", "--output", "--limit", "--events", "--report", "--plan", "-C", "--inventory"];
        string[] values = ["", "0", "-1", "1e400", "NaN", "Infinity", "4294968", "99999999999", "x", "\n", "a=b", "=", "db=0", "db=-1", "db=x", new string('9', 400), "/nonexistent/dir/file", "~", "--", "-j"];
        foreach (var option in options)
        {
            yield return new TestCaseData(option, values).SetArgDisplayNames(option);
        }
    }

    [TestCaseSource(nameof(Options))]
    public async Task Hostile_option_values_give_a_result_or_one_line(string option, string[] values)
    {
        using var cli = new CliHarness();
        cli.Add("noop", _ => Task.CompletedTask);
        foreach (var value in values)
        {
            await AssertOneLineAsync(cli, ["noop", option, value], $"noop {option} '{value}'");
        }
    }

    private static async Task AssertOneLineAsync(CliHarness cli, string[] args, string what)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        CliResult result;
        try
        {
            result = await cli.RunAsync(args, limit.Token).WaitAsync(TimeSpan.FromSeconds(40));
        }
        catch (Exception e) when (e is not TimeoutException)
        {
            Assert.Fail($"{what}\nthrew {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
            return;
        }

        Assert.That(result.ExitCode, Is.AnyOf(0, 1, 2), $"{what}\n{result}");
        Assert.That(result.Error + result.Output, Does.Not.Contain("   at ").And.Not.Contain("Unhandled exception"), $"{what}\n{result}");
        if (result.ExitCode == 2)
        {
            Assert.That(result.Error.Trim().Split('\n'), Has.Length.EqualTo(1), $"one line: {what}\n{result}");
        }
    }

    private static string Pick(Random random, string[] values) => values[random.Next(values.Length)];

    // One to three mutations of a valid document.
    private static string Mutate(Random random, string text, bool yaml)
    {
        for (var n = random.Next(1, 4); n > 0; n--)
        {
            text = random.Next(6) switch
            {
                0 => ReplaceValue(random, text, yaml),
                1 => ReplaceValue(random, text, yaml),
                2 => text.Replace(Pick(random, Keys), Pick(random, Keys), StringComparison.Ordinal),
                3 => text[..random.Next(text.Length)],
                4 => text.Insert(random.Next(text.Length), Pick(random, ["\"", "{", "]", ",", ":", "\0", "\t", "\u00ff", "- ", "  ", "\n"])),
                _ => Duplicate(random, text),
            };
        }

        return text;
    }

    private static string ReplaceValue(Random random, string text, bool yaml)
    {
        // The text after some ": " up to the end of its line (JSON: to the next ',' or '}').
        var starts = new List<int>();
        for (var i = text.IndexOf(": ", StringComparison.Ordinal); i >= 0; i = text.IndexOf(": ", i + 1, StringComparison.Ordinal))
        {
            starts.Add(i + 2);
        }

        if (starts.Count == 0)
        {
            return text;
        }

        var start = starts[random.Next(starts.Count)];
        var end = start;
        while (end < text.Length && text[end] != '\n' && (yaml || (text[end] != ',' && text[end] != '}')))
        {
            end++;
        }

        var value = Pick(random, HostileValues);
        return new StringBuilder(text).Remove(start, end - start).Insert(start, yaml ? value.Trim('"') : value).ToString();
    }

    private static string Duplicate(Random random, string text)
    {
        var lines = text.Split('\n').ToList();
        var k = random.Next(lines.Count);
        lines.Insert(k, lines[k]);
        return string.Join('\n', lines);
    }
}
