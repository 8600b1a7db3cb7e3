"""Digital signatures on issued letters (PAdES, pyHanko) and their verification."""
