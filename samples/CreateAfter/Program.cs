return await Orchestrate.Orchestrator.RunAsync(args);
