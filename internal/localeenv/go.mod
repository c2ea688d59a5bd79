module 0.worktalk.dev/localeenv

go 1.26.8
