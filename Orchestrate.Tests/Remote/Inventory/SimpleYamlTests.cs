using System.Globalization;
using System.Text;
using InventoryDocument = Orchestrate.Remote.Inventory.InventoryDocument;
using InventoryException = Orchestrate.Remote.Inventory.InventoryException;
using InventoryNode = Orchestrate.Remote.Inventory.InventoryNode;
using MapNode = Orchestrate.Remote.Inventory.MapNode;
using ScalarNode = Orchestrate.Remote.Inventory.ScalarNode;
using SequenceNode = Orchestrate.Remote.Inventory.SequenceNode;
using SimpleYaml = Orchestrate.Remote.Inventory.SimpleYaml;

namespace Orchestrate.Tests.Remote.Inventory;

/// <summary>The fast YAML reader must read its subset exactly as YamlDotNet does, and leave everything else to it.</summary>
public sealed class SimpleYamlTests
{
    private const string File = "/srv/inv/hosts.yml";

    /// <summary>Inventories as people write them; the fast reader must take every one of them.</summary>
    private static readonly Dictionary<string, string> Corpus = new()
    {
        ["groups, children, vars and ranges"] = """
            all:
              vars:
                ansible_user: deploy
                env: prod
                ansible_ssh_common_args: "-o ProxyJump=bastion -o 'SendEnv=LANG LC_*'"
              hosts:
                mail.example.com:
              children:
                web:
                  vars:
                    tier: web
                    ansible_port: 2200
                  hosts:
                    web[01:05:2].example.com:
                      ansible_host: "10.0.0.[1:5:2]"
                    web02.example.com:
                      ansible_port: 2222
                      ansible_ssh_extra_args: -o ServerAliveInterval=30
                db:
                  children:
                    db_primary:
                      hosts:
                        db-[a:b]:
                          ansible_ssh_host: 10.0.1.1
                          ansible_ssh_port: "5022"
                          ansible_ssh_private_key_file: keys/db.pem
                          orchestrate_known_hosts_file: ~/kh
            prod:
              children:
                web:
                db:
              vars:
                tier: prod
            """,
        ["document start and comments"] = """
            # Production inventory
            ---   # the one document
            # groups follow
            all:   # every host
              hosts:
                # the first host
                h1:    # no variables
                h2:
                  ansible_host: 10.0.0.2  # primary address
                  note: a#b c #comment
              # a comment less indented than the mapping
                h3:
                      # a comment more indented than anything
                  ansible_port: 22 #
            """,
        ["quoted values"] = """
            all:
              vars:
                spaces: "  two  words  "
                single: 'it''s "fine"'
                double: "say \"hi\" to O'Brien"
                command: "$(hostname) && echo `date` | tee /tmp/x; rm -rf $HOME/..."
                backslashes: "C:\\Users\\deploy\\.ssh"
                windows_plain: C:\Users\deploy
                windows_single: 'C:\Users\deploy\'
                jinja: "{{ lookup('env', 'IP') }}"
                empty_double: ""
                empty_single: ''
                quoted_null: "null"
                quoted_tilde: '~'
                hash_inside: "a # b"
                colon_inside: 'a: b'
                unicode: "Zürich — 東京"
                unicode_plain: Zürich — 東京 ✓
            """,
        ["double-quoted escapes"] = """
            all:
              vars:
                common: "tab\there\nnew line \\ \" \/ slash"
                hex: "\x41\x7e\u0041\u00e9\u00E9\u4e2d\uFFFD"
                controls: "\0\a\b\v\f\r\e"
                spaces: "\ \_"
                breaks: "\N\L\P"
            """,
        ["null spellings"] = """
            all:
              hosts:
                empty:
                tilde: ~
                lower: null
                title: Null
                upper: NULL
                mixed: nULL
                comment_only:   # nothing
                trailing_spaces:   
                last:
            """,
        ["numbers and booleans"] = """
            all:
              vars:
                port: 22
                negative: -3
                float: 1.5
                exponent: 1e3
                hex: 0x1F
                octal: 0o17
                leading_zero: 007
                yes: yes
                no: no
                on: on
                true: true
                false: False
                version: 1.10
                date: 2024-01-02
                infinity: .inf
            """,
        ["sequences"] = """
            all:
              vars:
                ntp_servers:
                  - 0.pool.ntp.org
                  - "1.pool.ntp.org"
                  - '2.pool.ntp.org'   # quoted
                  -
                  - ~
                users:
                  - name: alice
                    shell: /bin/zsh
                    groups:
                      - wheel
                      - docker
                  - name: bob
                    keys:
                    - ssh-ed25519 AAAA bob@laptop
                    - ssh-rsa BBBB bob@desktop
                  -   name: carol
                      uid: 1003
                  - "quoted": key
                    'single': key
                  - empty:
                    other: 1
                nested:
                  -
                    - a
                    - b
                  -
                    key: value
                indentless:
                - one
                - two
                after: yes
            """,
        ["indentless sequence in a sequence item"] = """
            all:
              vars:
                rules:
                  - ports:
                    - 80
                    - 443
                    proto: tcp
                  - ports:
                      - 22
            """,
        ["keys of every kind"] = """
            all:
              hosts:
                web[01:20].example.com:
                "web 1":
                'db''s':
                "a: b":
                a:b:
                key with spaces   : value
                café:
                  ü: ö
                -leading-dash: 1
                dots...: 2
                "": empty key
                "<<": quoted merge is an ordinary key
                null: the key null
                ~: the key tilde
                "q"  : spaced colon
            """,
        ["plain values with punctuation"] = """
            all:
              vars:
                url: http://example.com:8080/path?x=1&y=2#frag
                ratio: 1:2
                dashes: --verbose --dry-run
                triple_dash: ---x
                brackets: a[1] {b} c,d
                quote_inside: it's "quoted" inside
                at_inside: user@host
                percent_inside: 100%
                inner_spaces: a   b    c
                trailing_colon_word: a:b:c
                question: what?
                exclaim: hi!
                pipe: a | b > c
                ampersand: a & b
                star: a * b
                ending_hash: c#
            """,
        ["four-space indentation"] = """
            all:
                children:
                    web:
                        hosts:
                            web1:
                                ansible_host: 10.0.0.1
                            web2:
                                ansible_host: 10.0.0.2
                        vars:
                            http_port: 80
                    db:
                        hosts:
                            db1:
            """,
        ["indented root"] = """
              all:
                hosts:
                  h1:
                  h2:
              other:
                hosts:
            """,
        ["top-level groups without all"] = """
            web:
              hosts:
                w1:
                w2:
            db:
              hosts:
                d1:
                  ansible_port: 5432
            """,
        ["twenty hosts"] = TwentyHosts(),
        ["no final line break"] = "all:\n  hosts:\n    h1:\n      ansible_port: 22",
        ["windows line breaks"] = "# crlf\r\n---\r\nall:\r\n  hosts:\r\n    h1:\r\n      ansible_host: \"10.0.0.1\"\r\n    h2:\r\n  vars:\r\n    - a\r\n",
        ["blank lines everywhere"] = "\n\nall:\n\n  hosts:\n    \n    h1:\n\n\n      v: 1\n   \n",
        ["comments only"] = "# nothing yet\n\n   # still nothing\n",
        ["empty file"] = "",
        ["long lines and deep nesting"] = DeepAndLong(),
    };

    /// <summary>Documents that use more than the subset, or are wrong; the fast reader must leave each of them to YamlDotNet.</summary>
    private static readonly Dictionary<string, string> Outside = new()
    {
        ["anchor and alias"] = "all:\n  hosts:\n    h1: &base\n      role: app\n    h2: *base\n",
        ["merge key"] = "all:\n  hosts:\n    h1:\n      <<: *base\n",
        ["flow mapping"] = "all:\n  hosts:\n    h1: {ansible_port: 22}\n",
        ["flow sequence"] = "all:\n  vars:\n    ports: [80, 443]\n",
        ["literal block scalar"] = "all:\n  vars:\n    motd: |\n      hello\n",
        ["folded block scalar"] = "all:\n  vars:\n    motd: >\n      hello\n",
        ["tag"] = "all:\n  vars:\n    port: !!str 22\n",
        ["tab in indentation"] = "all:\n\thosts:\n",
        ["tab after a colon"] = "all:\n  vars:\n    a:\t1\n",
        ["multi-line plain scalar"] = "all:\n  vars:\n    a: one\n      two\n",
        ["multi-line quoted scalar"] = "all:\n  vars:\n    a: \"one\n      two\"\n",
        ["scalar on the line after its key"] = "all:\n  vars:\n    a:\n      one\n",
        ["complex key"] = "all:\n  ? hosts\n  : h1\n",
        ["directive"] = "%YAML 1.2\n---\nall:\n",
        ["second document"] = "all:\n---\nother:\n",
        ["document end"] = "all:\n...\n",
        ["document start alone"] = "---\n",
        ["document start with a value"] = "--- all\n",
        ["duplicate key"] = "all:\n  hosts:\n    web1:\n    web1:\n",
        ["duplicate key written in two styles"] = "all:\n  hosts:\n    web1:\n    'web1':\n",
        ["mapping value on one line"] = "all:\n  vars:\n    a: b: c\n",
        ["value ending with a colon"] = "all:\n  vars:\n    a: b:\n",
        ["dedented key"] = "all:\n  hosts:\n    web1:\n   bad: [\n",
        ["key between indentations"] = "all:\n  b: 1\n c: 2\n",
        ["over-indented key"] = "all:\n  b: 1\n    c: 2\n",
        ["unknown escape"] = "all:\n  vars:\n    a: \"\\q\"\n",
        ["surrogate escape"] = "all:\n  vars:\n    a: \"\\uD83D\\uDE00\"\n",
        ["eight-digit escape"] = "all:\n  vars:\n    a: \"\\U0001F600\"\n",
        ["comment touching a quote"] = "all:\n  vars:\n    a: \"x\"#c\n",
        ["text after a quote"] = "all:\n  vars:\n    a: \"x\" y\n",
        ["emoji"] = "all:\n  vars:\n    a: 😀\n",
        ["lone carriage return"] = "all:\r  hosts:\n",
        ["byte order mark"] = "\ufeffall:\n",
        ["root scalar"] = "hello\n",
        ["root sequence after a mapping"] = "- a\nb: 1\n",
        ["nested sequence on one line"] = "all:\n  vars:\n    a:\n      - - x\n",
        ["dash as a value"] = "all:\n  vars:\n    a: -\n",
        ["question mark key"] = "all:\n  ?x: 1\n",
        ["reserved indicator"] = "all:\n  vars:\n    a: @x\n",
        ["sequence item continued"] = "all:\n  vars:\n    a:\n      - one\n        two\n",
        ["sequence then key at its column"] = "all:\n  vars:\n    a:\n      - one\n      b: 2\n",
        ["plain key with a comment"] = "all:\n  web #1: x\n",
        ["plain key with an alias-like word"] = "all:\n  - 4 *proto: tcp\n",
        ["plain key too long for YAML"] = "all:\n  " + new string('k', 1100) + ": v\n",
        ["quoted key too long for YAML"] = "all:\n  \"" + new string('k', 1020) + "\"      : v\n",
        ["deeper than the fast reader goes"] = string.Concat(Enumerable.Range(0, 80).Select(depth => new string(' ', depth) + "k:\n")),
    };

    private static IEnumerable<TestCaseData> CorpusCases() =>
        Corpus.Select(document => new TestCaseData(document.Value).SetArgDisplayNames(document.Key));

    private static IEnumerable<TestCaseData> OutsideCases() =>
        Outside.Select(document => new TestCaseData(document.Value).SetArgDisplayNames(document.Key));

    [TestCaseSource(nameof(CorpusCases))]
    public void Inventories_are_read_without_YamlDotNet_into_the_same_tree(string yaml)
    {
        Assert.That(SimpleYaml.TryRead(yaml, File, out var fast), Is.True, "the fast reader should take this document");
        Assert.That(Dump(fast), Is.EqualTo(Dump(InventoryDocument.FromYamlDotNet(yaml, File))));
        Assert.That(Dump(InventoryDocument.FromYaml(yaml, File)), Is.EqualTo(Dump(fast)));
    }

    [TestCaseSource(nameof(OutsideCases))]
    public void Other_YAML_and_broken_YAML_are_left_to_YamlDotNet_with_the_same_result(string yaml)
    {
        Assert.That(SimpleYaml.TryRead(yaml, File, out _), Is.False, "this document is outside the fast reader's subset");
        Assert.That(Outcome(() => InventoryDocument.FromYaml(yaml, File)), Is.EqualTo(Outcome(() => InventoryDocument.FromYamlDotNet(yaml, File))));
    }

    [Test]
    public void Errors_in_plain_inventories_keep_YamlDotNets_messages()
    {
        Assert.That(
            Assert.Throws<InventoryException>(() => InventoryDocument.FromYaml(Outside["duplicate key"], File))!.Message,
            Is.EqualTo($"{File}:4:5: the key 'web1' is written twice in the same mapping (first on line 3). Keep one of them."));
        Assert.That(
            Assert.Throws<InventoryException>(() => InventoryDocument.FromYaml(Outside["key between indentations"], File))!.Message,
            Is.EqualTo($"{File}:3:2: the file is not valid YAML: While parsing a block mapping, did not find expected key. Fix the YAML syntax there."));
        Assert.That(
            Assert.Throws<InventoryException>(() => InventoryDocument.FromYaml(Outside["second document"], File))!.Message,
            Does.StartWith($"{File}:2:1: the inventory holds a second YAML document ('---')."));
    }

    [Test]
    public void Anchors_and_merge_keys_still_work_through_YamlDotNet()
    {
        const string yaml = "all:\n  hosts:\n    h1: &base\n      role: app\n    h2:\n      <<: *base\n      port: 22\n";
        var root = (MapNode)InventoryDocument.FromYaml(yaml, File)!;
        var hosts = (MapNode)((MapNode)root.Entries[0].Value).Entries[0].Value;
        var h2 = (MapNode)hosts.Entries[1].Value;
        Assert.That(h2.Entries.Select(e => $"{e.Key}={((ScalarNode)e.Value).Value}"), Is.EqualTo(new[] { "role=app", "port=22" }));
    }

    /// <summary>
    /// Every corpus document damaged in small ways (a character removed, an indicator or space inserted, a line
    /// re-indented or dropped): whatever the fast reader accepts must be exactly what YamlDotNet reads, and whatever
    /// YamlDotNet rejects the fast reader must not accept.
    /// </summary>
    [Test]
    public void Damaged_inventories_are_either_read_alike_or_left_to_YamlDotNet()
    {
        var taken = 0;
        var checkedCount = 0;
        var failures = new List<string>();
        foreach (var variant in Corpus.Values.Where(yaml => yaml.Length < 1500).SelectMany(Damaged).Distinct(StringComparer.Ordinal))
        {
            checkedCount++;
            if (!SimpleYaml.TryRead(variant, File, out var fast))
            {
                continue;
            }

            taken++;
            var expected = Outcome(() => InventoryDocument.FromYamlDotNet(variant, File));
            if (Dump(fast) != expected && failures.Count < 5)
            {
                failures.Add($"--- document:\n{variant}\n--- fast reader:\n{Dump(fast)}--- YamlDotNet:\n{expected}");
            }
        }

        TestContext.Out.WriteLine($"{checkedCount} damaged documents, {taken} read by the fast reader");
        Assert.That(failures, Is.Empty, string.Join("\n", failures));
        Assert.That(taken, Is.GreaterThan(checkedCount / 4), "most small changes keep a document inside the subset");
    }

    /// <summary>
    /// Random short documents made of typical inventory lines at random indentations, which mix mappings, sequences,
    /// nulls and errors in ways the corpus does not: the same rule as for damaged inventories.
    /// </summary>
    [Test]
    public void Generated_block_documents_are_either_read_alike_or_left_to_YamlDotNet()
    {
        string[] shapes =
        [
            "k{0}:", "k{0}: v", "- ", "- x", "- k{0}: v", "-", "- k{0}:", "k{0}: 'q'", "\"k{0}\": 1", "# c", "", "k{0}: ~",
            "a b{0}: c d", "- - x", "k{0}:   # c", "-   k{0}: v", "x", "'k{0}' :", "---", "k{0}: \"a\" # c",
        ];
        var random = new Random(20240601);
        var taken = 0;
        var failures = new List<string>();
        for (var n = 0; n < 20000; n++)
        {
            var lines = Enumerable.Range(0, random.Next(1, 9))
                .Select(_ => new string(' ', random.Next(0, 7)) + string.Format(CultureInfo.InvariantCulture, shapes[random.Next(shapes.Length)], random.Next(6)));
            var yaml = string.Join('\n', lines) + (random.Next(2) == 0 ? "\n" : string.Empty);
            if (!SimpleYaml.TryRead(yaml, File, out var fast))
            {
                continue;
            }

            taken++;
            var expected = Outcome(() => InventoryDocument.FromYamlDotNet(yaml, File));
            if (Dump(fast) != expected && failures.Count < 5)
            {
                failures.Add($"--- document:\n{yaml}\n--- fast reader:\n{Dump(fast)}--- YamlDotNet:\n{expected}");
            }
        }

        Assert.That(failures, Is.Empty, string.Join("\n", failures));
        Assert.That(taken, Is.GreaterThan(1000), "enough generated documents are inside the subset to mean something");
    }

    private static IEnumerable<string> Damaged(string yaml)
    {
        for (var i = 0; i < yaml.Length; i++)
        {
            yield return yaml.Remove(i, 1);
            foreach (var insert in new[] { ":", ": ", " ", "#", " #", "-", "- ", " *", "'", "\"", "\\", "~" })
            {
                yield return yaml.Insert(i, insert);
            }
        }

        var lines = yaml.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            yield return string.Join('\n', lines.Where((_, j) => j != i));
            yield return string.Join('\n', lines.Select((line, j) => j == i ? " " + line : line));
            yield return string.Join('\n', lines.Select((line, j) => j == i ? "  " + line : line));
            yield return string.Join('\n', lines.Select((line, j) => j == i && line.StartsWith(' ') ? line[1..] : line));
            yield return string.Join('\n', lines.Select((line, j) => j == i && line.StartsWith("  ", StringComparison.Ordinal) ? line[2..] : line));
        }
    }

    /// <summary>The tree or the error, as text: every node kind, value, quoting, location and key in order.</summary>
    private static string Outcome(Func<InventoryNode?> read)
    {
        try
        {
            return Dump(read());
        }
        catch (InventoryException exception)
        {
            return "error: " + exception.Message;
        }
    }

    private static string Dump(InventoryNode? node)
    {
        var text = new StringBuilder();
        Dump(node, 0, text);
        return text.ToString();
    }

    private static void Dump(InventoryNode? node, int depth, StringBuilder text)
    {
        var indent = new string(' ', depth * 2);
        switch (node)
        {
            case null:
                text.Append(indent).Append("(no document)\n");
                break;
            case ScalarNode scalar:
                var value = scalar.Value is null ? "null" : "[" + Escape(scalar.Value) + "]";
                text.Append(indent).Append($"scalar {value}{(scalar.Quoted ? " quoted" : string.Empty)} at {scalar.Location}\n");
                break;
            case MapNode map:
                text.Append(indent).Append($"map at {map.Location}\n");
                foreach (var entry in map.Entries)
                {
                    text.Append(indent).Append($"  key [{Escape(entry.Key)}] at {entry.KeyLocation}\n");
                    Dump(entry.Value, depth + 2, text);
                }

                break;
            case SequenceNode sequence:
                text.Append(indent).Append($"sequence at {sequence.Location}\n");
                foreach (var item in sequence.Items)
                {
                    Dump(item, depth + 1, text);
                }

                break;
        }
    }

    private static string Escape(string value) =>
        string.Concat(value.Select(c => c is < ' ' or > '~' ? $"\\u{(int)c:x4}" : c.ToString()));

    private static string TwentyHosts()
    {
        var text = new StringBuilder("all:\n  children:\n    lab:\n      hosts:\n");
        for (var i = 1; i <= 20; i++)
        {
            text.Append($"        node{i}:\n          ansible_host: 127.0.0.{i}\n          ansible_port: 22\n          ansible_user: orchestrate\n");
            text.Append("          ansible_ssh_private_key_file: /tmp/testbed/id_ed25519\n");
            text.Append("          ansible_ssh_common_args: \"-o UserKnownHostsFile=/tmp/testbed/known_hosts -o 'IdentitiesOnly yes'\"\n");
        }

        return text.ToString();
    }

    private static string DeepAndLong()
    {
        var text = new StringBuilder();
        for (var depth = 0; depth < 30; depth++)
        {
            text.Append(' ', depth * 2).Append($"level{depth}:\n");
        }

        text.Append(' ', 60).Append("long: ").Append('x', 900).Append('\n');
        text.Append(' ', 60).Append(new string('k', 900)).Append(": v\n");
        return text.ToString();
    }
}
