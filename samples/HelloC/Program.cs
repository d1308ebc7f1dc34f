using Orchestrate.Remote.Testbed;

// The lab hosts come from --inventory FILE or the Inventory section of appsettings.json. When neither is there, the
// run brings up its own: three OpenSSH servers on loopback (127.0.0.2-4), the test hosts Orchestrate's own tests use,
// for this run only, and says so.
return await LoopbackFallback.RunAsync(args, group: "lab");
