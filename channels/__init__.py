"""The doors of the assistant: one module per channel, a common message model, per-channel rendering."""
