return Orchestrate.Orchestrator.Run(args);
