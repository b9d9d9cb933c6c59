"""Export an account as one versioned JSON document, and import such a document back."""
