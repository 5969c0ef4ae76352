"""Keys and signatures. Private keys live in files in the data folder, never in a database."""
