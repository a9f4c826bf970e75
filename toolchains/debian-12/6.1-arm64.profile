# Results of the $(shell,...) macros of a Kconfig tree (runner-kernel).
rk-toolchain-profile 1
$ LC_ALL=C aarch64-linux-gnu-gcc --version 2>/dev/null | head -n 1
> aarch64-linux-gnu-gcc (Debian 12.2.0-14) 12.2.0
$ { command -v aarch64-linux-gnu-gcc; } >/dev/null 2>&1 && echo "n" || echo "y"
> n
$ { command -v aarch64-linux-gnu-ld; } >/dev/null 2>&1 && echo "n" || echo "y"
> n
$ @srctree@/scripts/cc-version.sh aarch64-linux-gnu-gcc
> GCC 120200
$ { test -z "GCC 120200"; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ set -- GCC 120200 && echo $1
> GCC
$ set -- GCC 120200 && echo $2
> 120200
$ @srctree@/scripts/as-version.sh aarch64-linux-gnu-gcc 
> GNU 24000
$ { test -z "GNU 24000"; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ set -- GNU 24000 && echo $1
> GNU
$ set -- GNU 24000 && echo $2
> 24000
$ @srctree@/scripts/ld-version.sh aarch64-linux-gnu-ld
> BFD 24000
$ { test -z "BFD 24000"; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ set -- BFD 24000 && echo $1
> BFD
$ set -- BFD 24000 && echo $2
> 24000
$ { aarch64-linux-gnu-gcc -Werror -m32 -E -x c /dev/null -o /dev/null; } >/dev/null 2>&1 && echo "-m32" || echo ""
> 
$ { aarch64-linux-gnu-gcc -Werror -m64 -E -x c /dev/null -o /dev/null; } >/dev/null 2>&1 && echo "-m64" || echo ""
> 
$ { test "GCC" = GCC; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { test "GCC" = Clang; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ { test "GNU" = GNU; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { test "GNU" = LLVM; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ { test "BFD" = BFD; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { test "BFD" = LLD; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ { @srctree@/scripts/rust_is_available.sh; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ { @srctree@/scripts/cc-can-link.sh aarch64-linux-gnu-gcc    ; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { @srctree@/scripts/cc-can-link.sh aarch64-linux-gnu-gcc     -static; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { echo 'int foo(int x) { asm goto ("": "=r"(x) ::: bar); return x; bar: return 0; }' | aarch64-linux-gnu-gcc -x c - -c -o /dev/null; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { echo 'int foo(int *x) { asm goto (".long (%l[bar]) - .": "+m"(*x) ::: bar); return *x; bar: return 0; }' | $CC -x c - -c -o /dev/null; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { env "CC=aarch64-linux-gnu-gcc" "LD=aarch64-linux-gnu-ld" "NM=aarch64-linux-gnu-nm" "OBJCOPY=aarch64-linux-gnu-objcopy" @srctree@/scripts/tools-support-relr.sh; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ { echo 'void foo(void) { asm inline (""); }' | aarch64-linux-gnu-gcc -x c - -c -o /dev/null; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { echo '__attribute__((no_profile_instrument_function)) int x();' | aarch64-linux-gnu-gcc -x c - -c -o /dev/null -Werror; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ @srctree@/scripts/pahole-version.sh pahole
> 0
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; aarch64-linux-gnu-gcc -Werror   -D__SIZEOF_INT128__=0 -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; aarch64-linux-gnu-gcc -Werror  -Wimplicit-fallthrough=5 -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; aarch64-linux-gnu-gcc -Werror  -Wunreachable-code-fallthrough -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; aarch64-linux-gnu-gcc -Werror  -ffunction-sections -fdata-sections -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { aarch64-linux-gnu-ld -v --gc-sections; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { aarch64-linux-gnu-ld -v --orphan-handling=warn; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ false --version 2>/dev/null
> 
$ false --version workaround-for-0.69.0 2>/dev/null
> 
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; aarch64-linux-gnu-gcc -Werror  -fpatchable-function-entry=2 -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { printf "%b\\n" "1:\\n.inst 0\\n.rept . - 1b\\n\\nnop\\n.endr\\n" | aarch64-linux-gnu-gcc  -c -x assembler-with-cpp -o /dev/null -; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { aarch64-linux-gnu-ld -v --fix-cortex-a53-843419; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; aarch64-linux-gnu-gcc -Werror   -fsanitize=shadow-call-stack -ffixed-x18 -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { printf "%b\\n" ".arch_extension rcpc" | aarch64-linux-gnu-gcc  -c -x assembler-with-cpp -o /dev/null -; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { printf "%b\\n" ".arch_extension lse" | aarch64-linux-gnu-gcc  -c -x assembler-with-cpp -o /dev/null -; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; aarch64-linux-gnu-gcc -Werror  -Wa,-march=armv8.2-a -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { printf "%b\\n" ".arch armv8.2-a+sha3" | aarch64-linux-gnu-gcc  -c -x assembler-with-cpp -o /dev/null -; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; aarch64-linux-gnu-gcc -Werror  -mbranch-protection=pac-ret+leaf -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; aarch64-linux-gnu-gcc -Werror  -msign-return-address=all -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; aarch64-linux-gnu-gcc -Werror  -Wa,-march=armv8.3-a -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { printf "%b\\n" ".cfi_startproc\\n.cfi_negate_ra_state\\n.cfi_endproc\\n" | aarch64-linux-gnu-gcc  -c -x assembler-with-cpp -o /dev/null -; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; aarch64-linux-gnu-gcc -Werror  -Wa,-march=armv8.4-a -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; aarch64-linux-gnu-gcc -Werror  -Wa,-march=armv8.5-a -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; aarch64-linux-gnu-gcc -Werror  -mbranch-protection=pac-ret+leaf+bti -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { printf "%b\\n" ".arch armv8.5-a+memtag\\nstgm xzr,[x0]" | aarch64-linux-gnu-gcc  -c -x assembler-with-cpp -o /dev/null -; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; aarch64-linux-gnu-gcc -Werror  -mstack-protector-guard=sysreg -mstack-protector-guard-reg=sp_el0 -mstack-protector-guard-offset=0 -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; aarch64-linux-gnu-gcc -Werror  -fstack-protector -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; aarch64-linux-gnu-gcc -Werror  -fstack-protector-strong -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { aarch64-linux-gnu-nm --help | head -n 1 | grep -qi llvm; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ { aarch64-linux-gnu-ar --help | head -n 1 | grep -qi llvm; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; aarch64-linux-gnu-gcc -Werror  -fsanitize=kcfi -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ aarch64-linux-gnu-gcc -print-file-name=plugin
> /usr/lib/gcc-cross/aarch64-linux-gnu/12/plugin
$ { test -e /usr/lib/gcc-cross/aarch64-linux-gnu/12/plugin/include/plugin-version.h; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; aarch64-linux-gnu-gcc -Werror  -ftrivial-auto-var-init=pattern -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; aarch64-linux-gnu-gcc -Werror  -ftrivial-auto-var-init=zero -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; aarch64-linux-gnu-gcc -Werror  -ftrivial-auto-var-init=zero -enable-trivial-auto-var-init-zero-knowing-it-will-be-removed-from-clang -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; aarch64-linux-gnu-gcc -Werror  -fzero-call-used-regs=used-gpr -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; aarch64-linux-gnu-gcc -Werror  -frandomize-layout-seed-file=/dev/null -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ { printf "%b\\n" ".uleb128 .Lexpr_end4 - .Lexpr_start3\\n.Lexpr_start3:\\n.Lexpr_end4:" | aarch64-linux-gnu-gcc  -c -x assembler-with-cpp -o /dev/null -; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; aarch64-linux-gnu-gcc -Werror  -gz=zlib -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { aarch64-linux-gnu-ld -v --compress-debug-sections=zlib; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; aarch64-linux-gnu-gcc -Werror  -gsplit-dwarf -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; aarch64-linux-gnu-gcc -Werror   -fsanitize-undefined-trap-on-error -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; aarch64-linux-gnu-gcc -Werror  -fsanitize=bounds -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; aarch64-linux-gnu-gcc -Werror  -fsanitize=array-bounds -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; aarch64-linux-gnu-gcc -Werror  -fsanitize=local-bounds -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; aarch64-linux-gnu-gcc -Werror  -fsanitize=shift -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; aarch64-linux-gnu-gcc -Werror  -fsanitize=integer-divide-by-zero -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; aarch64-linux-gnu-gcc -Werror  -fsanitize=unreachable -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; aarch64-linux-gnu-gcc -Werror  -fsanitize=bool -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; aarch64-linux-gnu-gcc -Werror  -fsanitize=enum -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; aarch64-linux-gnu-gcc -Werror  -fsanitize=alignment -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; aarch64-linux-gnu-gcc -Werror  -fsanitize=thread -mllvm -tsan-distinguish-volatile=1 -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; aarch64-linux-gnu-gcc -Werror  -fsanitize=thread --param tsan-distinguish-volatile=1 -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; aarch64-linux-gnu-gcc -Werror  -fsanitize=thread -mllvm -tsan-compound-read-before-write=1 -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; aarch64-linux-gnu-gcc -Werror  -fsanitize=thread --param tsan-compound-read-before-write=1 -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; aarch64-linux-gnu-gcc -Werror   -fsanitize=kernel-address -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; aarch64-linux-gnu-gcc -Werror   -fsanitize=kernel-hwaddress -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; aarch64-linux-gnu-gcc -Werror  -fsanitize=kernel-memory -mllvm -msan-disable-checks=1 -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; aarch64-linux-gnu-gcc -Werror  -fsanitize=kernel-memory -fsanitize-memory-param-retval -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; aarch64-linux-gnu-gcc -Werror  -mrecord-mcount -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; aarch64-linux-gnu-gcc -Werror  -fsanitize-coverage=trace-pc -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; aarch64-linux-gnu-gcc -Werror  -fsanitize-coverage=trace-cmp -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
