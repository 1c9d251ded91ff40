fn main() -> std::process::ExitCode {
    aima::main()
}
