using MuonInr.Cli;

StopSignal.Install();
return CliApp.Run(args, shouldStop: () => StopSignal.Requested);
