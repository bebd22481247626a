"""Channel adapters: one module per provider behind one small protocol (`base.ChannelAdapter`)."""
