return Alds.Cli.AldsApp.Run(args);
