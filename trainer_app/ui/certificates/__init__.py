"""The Certificates section: the station's register, issuing a class's certificates, printing."""
