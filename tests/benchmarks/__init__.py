"""The load benchmark and Lighthouse run behind `make bench` (not collected by pytest)."""
