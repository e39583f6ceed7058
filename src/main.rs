// glibc keeps an Argon2 buffer (7–19 MiB) per thread arena long after a sign-in;
// mimalloc gives freed memory back and is quicker with many small allocations.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    laobing::cli::main()
}
