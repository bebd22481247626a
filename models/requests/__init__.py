"""What people ask through the bot and officers act on: reviews, registrations, questions, data."""
