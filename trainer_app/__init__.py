"""Trainer: training register, attendance and certificates for rural e-commerce service stations."""

__version__ = "0.1.0"
APP_NAME = "trainer_app"
