"""The staff console: accounts, procedure editing and publishing, bulk work and printable kits."""
