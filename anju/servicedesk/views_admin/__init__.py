"""Administration and oversight pages of the service desk (URL namespace "desk_admin")."""
