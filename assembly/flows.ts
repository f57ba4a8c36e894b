// placeholder: this room's owner fills it (see assembly/index.ts)
