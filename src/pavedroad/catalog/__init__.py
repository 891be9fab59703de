"""The catalog: its model, questions and answers, rendering, the store, publishing, validation."""
