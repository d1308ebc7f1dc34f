using Orchestrate.Bench;

// Usage:
//   Orchestrate.Bench scheduler [--tasks 100000,10000] [--shapes wide,chain] [--warmup 2] [--reps 7]
//   Orchestrate.Bench generator [--tasks 2000] [--files 20] [--warmup 3] [--reps 5] [--edits 21] [--steps 1]
// Human-readable lines go to stdout; lines starting with "RESULT " are for the bench scripts.
var options = Options.Parse(args.Skip(1));
switch (args.FirstOrDefault())
{
    case "scheduler":
        return await SchedulerBench.RunAsync(options);
    case "generator":
        return GeneratorBench.Run(options);
    default:
        Console.Error.WriteLine("usage: Orchestrate.Bench scheduler|generator [--name value]...");
        return 2;
}
