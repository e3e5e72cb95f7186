"""Template tag libraries of the project (registered in TEMPLATES OPTIONS "libraries")."""
