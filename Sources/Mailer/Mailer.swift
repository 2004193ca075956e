// Outbox delivery.
