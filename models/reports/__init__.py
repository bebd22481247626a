"""Monthly reports per commune and province, and reminders to officers before the 15th."""
