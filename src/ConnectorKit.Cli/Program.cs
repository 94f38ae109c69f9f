using ConnectorKit.Cli;

return await ConnectorKitCommand.RunAsync(args, ConnectorCatalog.BuiltIn, Console.Out, Console.Error);
