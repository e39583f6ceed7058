fn main() -> std::process::ExitCode {
    laobing::cli::main()
}
