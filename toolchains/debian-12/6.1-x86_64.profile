# Results of the $(shell,...) macros of a Kconfig tree (runner-kernel).
rk-toolchain-profile 1
$ LC_ALL=C gcc --version 2>/dev/null | head -n 1
> gcc (Debian 12.2.0-14+deb12u1) 12.2.0
$ { command -v gcc; } >/dev/null 2>&1 && echo "n" || echo "y"
> n
$ { command -v ld; } >/dev/null 2>&1 && echo "n" || echo "y"
> n
$ @srctree@/scripts/cc-version.sh gcc
> GCC 120200
$ { test -z "GCC 120200"; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ set -- GCC 120200 && echo $1
> GCC
$ set -- GCC 120200 && echo $2
> 120200
$ @srctree@/scripts/as-version.sh gcc 
> GNU 24000
$ { test -z "GNU 24000"; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ set -- GNU 24000 && echo $1
> GNU
$ set -- GNU 24000 && echo $2
> 24000
$ @srctree@/scripts/ld-version.sh ld
> BFD 24000
$ { test -z "BFD 24000"; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ set -- BFD 24000 && echo $1
> BFD
$ set -- BFD 24000 && echo $2
> 24000
$ { gcc -Werror -m32 -E -x c /dev/null -o /dev/null; } >/dev/null 2>&1 && echo "-m32" || echo ""
> -m32
$ { gcc -Werror -m64 -E -x c /dev/null -o /dev/null; } >/dev/null 2>&1 && echo "-m64" || echo ""
> -m64
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
$ { @srctree@/scripts/cc-can-link.sh gcc    -m64; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { @srctree@/scripts/cc-can-link.sh gcc    -m32; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ { @srctree@/scripts/cc-can-link.sh gcc    -m64 -static; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { @srctree@/scripts/cc-can-link.sh gcc    -m32 -static; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ { echo 'int foo(int x) { asm goto ("": "=r"(x) ::: bar); return x; bar: return 0; }' | gcc -x c - -c -o /dev/null; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { echo 'int foo(int *x) { asm goto (".long (%l[bar]) - .": "+m"(*x) ::: bar); return *x; bar: return 0; }' | $CC -x c - -c -o /dev/null; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { env "CC=gcc" "LD=ld" "NM=nm" "OBJCOPY=objcopy" @srctree@/scripts/tools-support-relr.sh; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ { echo 'void foo(void) { asm inline (""); }' | gcc -x c - -c -o /dev/null; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { echo '__attribute__((no_profile_instrument_function)) int x();' | gcc -x c - -c -o /dev/null -Werror; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ @srctree@/scripts/pahole-version.sh pahole
> 0
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; gcc -Werror  -m64 -D__SIZEOF_INT128__=0 -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; gcc -Werror  -Wimplicit-fallthrough=5 -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; gcc -Werror  -Wunreachable-code-fallthrough -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; gcc -Werror  -ffunction-sections -fdata-sections -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { ld -v --gc-sections; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { ld -v --orphan-handling=warn; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ false --version 2>/dev/null
> 
$ false --version workaround-for-0.69.0 2>/dev/null
> 
$ { @srctree@/scripts/gcc-x86_64-has-stack-protector.sh gcc ; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { @srctree@/scripts/gcc-x86_32-has-stack-protector.sh gcc ; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; gcc -Werror   -fcf-protection=branch -mindirect-branch-register -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { printf "%b\\n" "endbr64" | gcc  -c -x assembler-with-cpp -o /dev/null -; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; gcc -Werror  -mharden-sls=all -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; gcc -Werror  -mfunction-return=thunk-extern -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { objcopy --version | head -n1 | grep -qv llvm; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { printf "%b\\n" "vpmovm2b %k1,%zmm5" | gcc  -c -x assembler-with-cpp -o /dev/null -; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { printf "%b\\n" "sha1msg1 %xmm0,%xmm1" | gcc  -c -x assembler-with-cpp -o /dev/null -; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { printf "%b\\n" "sha256msg1 %xmm0,%xmm1" | gcc  -c -x assembler-with-cpp -o /dev/null -; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { printf "%b\\n" "tpause %ecx" | gcc  -c -x assembler-with-cpp -o /dev/null -; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; gcc -Werror  -fstack-protector -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; gcc -Werror  -fstack-protector-strong -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { nm --help | head -n 1 | grep -qi llvm; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ { ar --help | head -n 1 | grep -qi llvm; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; gcc -Werror  -fsanitize=kcfi -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ gcc -print-file-name=plugin
> /usr/lib/gcc/x86_64-linux-gnu/12/plugin
$ { test -e /usr/lib/gcc/x86_64-linux-gnu/12/plugin/include/plugin-version.h; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; gcc -Werror  -ftrivial-auto-var-init=pattern -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; gcc -Werror  -ftrivial-auto-var-init=zero -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; gcc -Werror  -ftrivial-auto-var-init=zero -enable-trivial-auto-var-init-zero-knowing-it-will-be-removed-from-clang -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; gcc -Werror  -fzero-call-used-regs=used-gpr -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; gcc -Werror  -frandomize-layout-seed-file=/dev/null -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ { printf "%b\\n" ".uleb128 .Lexpr_end4 - .Lexpr_start3\\n.Lexpr_start3:\\n.Lexpr_end4:" | gcc  -c -x assembler-with-cpp -o /dev/null -; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; gcc -Werror  -gz=zlib -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { ld -v --compress-debug-sections=zlib; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; gcc -Werror  -gsplit-dwarf -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; gcc -Werror   -fsanitize-undefined-trap-on-error -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; gcc -Werror  -fsanitize=bounds -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; gcc -Werror  -fsanitize=array-bounds -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; gcc -Werror  -fsanitize=local-bounds -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; gcc -Werror  -fsanitize=shift -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; gcc -Werror  -fsanitize=integer-divide-by-zero -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; gcc -Werror  -fsanitize=unreachable -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; gcc -Werror  -fsanitize=bool -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; gcc -Werror  -fsanitize=enum -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; gcc -Werror  -fsanitize=alignment -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; gcc -Werror  -fsanitize=thread -mllvm -tsan-distinguish-volatile=1 -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; gcc -Werror  -fsanitize=thread --param tsan-distinguish-volatile=1 -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; gcc -Werror  -fsanitize=thread -mllvm -tsan-compound-read-before-write=1 -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; gcc -Werror  -fsanitize=thread --param tsan-compound-read-before-write=1 -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; gcc -Werror   -fsanitize=kernel-address -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; gcc -Werror   -fsanitize=kernel-hwaddress -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; gcc -Werror  -fsanitize=kernel-memory -mllvm -msan-disable-checks=1 -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; gcc -Werror  -fsanitize=kernel-memory -fsanitize-memory-param-retval -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> n
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; gcc -Werror  -mrecord-mcount -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; gcc -Werror  -fsanitize-coverage=trace-pc -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
$ { trap "rm -rf .tmp_$$" EXIT; mkdir .tmp_$$; gcc -Werror  -fsanitize-coverage=trace-cmp -c -x c /dev/null -o .tmp_$$/tmp.o; } >/dev/null 2>&1 && echo "y" || echo "n"
> y
