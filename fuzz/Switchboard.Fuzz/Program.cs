using SharpFuzz;
using Switchboard.Fuzz;

// Switchboard.Fuzz <target>                  : under afl-fuzz, the SharpFuzz fork-server loop (one process, many inputs)
// Switchboard.Fuzz replay <target> <path>... : runs files or folders once each in-process, to reproduce a finding
if (args.Length == 0 || (args[0] == "replay" && args.Length < 3))
{
    await Console.Error.WriteLineAsync($"usage: Switchboard.Fuzz <target> | replay <target> <file-or-dir>...\ntargets: {string.Join(", ", FuzzTargets.Names)}");
    return 2;
}

if (args[0] == "replay")
{
    var replayed = await FuzzTargets.CreateAsync(args[1]);
    foreach (var file in args.Skip(2).SelectMany(p => Directory.Exists(p) ? Directory.GetFiles(p) : [p]).Order(StringComparer.Ordinal))
    {
        Console.WriteLine(file);
        replayed.Run(await File.ReadAllBytesAsync(file));
    }

    return 0;
}

if (!FuzzTargets.Names.Contains(args[0]))
{
    await Console.Error.WriteLineAsync($"unknown target '{args[0]}'; targets: {string.Join(", ", FuzzTargets.Names)}");
    return 2;
}

// The target is made inside the first run: instrumented code that runs before Fuzzer.Run has mapped
// AFL's shared coverage map writes through a null pointer (an AccessViolationException in any
// constructor of ours), so nothing of ours may run out here.
IFuzzTarget? target = null;
var buffer = new MemoryStream();
Fuzzer.Run(stream =>
{
    target ??= FuzzTargets.CreateAsync(args[0]).GetAwaiter().GetResult();
    buffer.SetLength(0);
    stream.CopyTo(buffer);
    target.Run(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
});
return 0;
