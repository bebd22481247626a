"""ansinh's domain: the data (tables) and the rules (services), free of any interface."""
