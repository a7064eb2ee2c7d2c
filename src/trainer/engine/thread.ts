// placeholder: built out by its issue
