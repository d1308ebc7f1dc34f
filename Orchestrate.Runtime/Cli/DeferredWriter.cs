using System.Text;

namespace Orchestrate.Cli;

/// <summary>
/// A writer made on first use: <see cref="Console.Out"/> and <see cref="Console.Error"/> for the commands, which most
/// runs never write to. Making either costs a few milliseconds of every start (.NET duplicates the descriptor through
/// code compiled at run time, and looks up the locale's encoding by name).
/// </summary>
internal sealed class DeferredWriter(Func<TextWriter> open) : TextWriter
{
    private TextWriter? _inner;

    private TextWriter Inner => Volatile.Read(ref _inner) ?? Made();

    /// <inheritdoc />
    public override Encoding Encoding => Inner.Encoding;

    /// <inheritdoc />
    public override IFormatProvider FormatProvider => Inner.FormatProvider;

    /// <inheritdoc />
    [System.Diagnostics.CodeAnalysis.AllowNull]
    public override string NewLine
    {
        get => Inner.NewLine;
        set => Inner.NewLine = value;
    }

    /// <inheritdoc />
    public override void Write(char value) => Inner.Write(value);

    /// <inheritdoc />
    public override void Write(string? value) => Inner.Write(value);

    /// <inheritdoc />
    public override void Write(char[] buffer, int index, int count) => Inner.Write(buffer, index, count);

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<char> buffer) => Inner.Write(buffer);

    /// <inheritdoc />
    public override void WriteLine() => Inner.WriteLine();

    /// <inheritdoc />
    public override void WriteLine(string? value) => Inner.WriteLine(value);

    /// <inheritdoc />
    public override void WriteLine(ReadOnlySpan<char> buffer) => Inner.WriteLine(buffer);

    /// <inheritdoc />
    public override Task WriteAsync(char value) => Inner.WriteAsync(value);

    /// <inheritdoc />
    public override Task WriteAsync(string? value) => Inner.WriteAsync(value);

    /// <inheritdoc />
    public override Task WriteLineAsync(string? value) => Inner.WriteLineAsync(value);

    /// <inheritdoc />
    public override Task WriteLineAsync() => Inner.WriteLineAsync();

    /// <inheritdoc />
    public override void Flush() => Volatile.Read(ref _inner)?.Flush();

    /// <inheritdoc />
    public override Task FlushAsync() => Volatile.Read(ref _inner)?.FlushAsync() ?? Task.CompletedTask;

    private TextWriter Made()
    {
        var made = open();
        return Interlocked.CompareExchange(ref _inner, made, null) ?? made;
    }
}
