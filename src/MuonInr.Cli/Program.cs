using MuonInr.Cli;

return CliApp.Run(args);
