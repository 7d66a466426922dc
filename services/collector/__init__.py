"""collector: discovers each connected AWS account's resources and publishes what changed."""
