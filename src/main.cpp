// Entry point placeholder; the subcommands live in src/app/.
int main() { return 0; }
