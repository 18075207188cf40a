// Replaced by the command implementations of mlflow-admin-cli.
