using Orchestrate.Remote.Testbed;

// The web hosts come from --inventory FILE or the Inventory section of appsettings.json. When neither is there, the
// run brings up its own: three OpenSSH servers on loopback (127.0.0.2-4), named web1-web3 in group "web", for this
// run only, and says so.
return await LoopbackFallback.RunAsync(args, group: "web", hostPrefix: "web");
