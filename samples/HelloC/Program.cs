using Orchestrate;

return await Orchestrator.RunAsync(args);
