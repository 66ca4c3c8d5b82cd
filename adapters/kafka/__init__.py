"""Kafka: the relay's producer (kafka-python), used only when PARS_KAFKA_BOOTSTRAP is set."""
