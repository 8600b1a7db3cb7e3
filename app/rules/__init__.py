"""Business rules as plain functions: no Flask, no database session. Views and commands call them."""
