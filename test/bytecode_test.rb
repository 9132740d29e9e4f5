# frozen_string_literal: true

require_relative "test_helper"
require "fileutils"
require "open3"
require "rbconfig"
require "tmpdir"

# lib/kobako/ loads from the bytecode bin/setup compiled (Kobako::Bytecode),
# and only from bytecode of the file as it is now, where it is now.
class BytecodeTest < Minitest::Test
  LIB = File.expand_path("../lib", __dir__)
  REPORT = 'require "kobako"; Kobako::Sandbox.new.eval("nil"); print Kobako::Bytecode.loaded.sort.join(" ")'

  def run_with(lib, script = REPORT)
    env = { "KOBAKO_ARTIFACTS_DIR" => Kobako.artifacts_dir }
    out, err, status = Open3.capture3(env, RbConfig.ruby, "-I#{lib}", "-e", script)
    assert_predicate status, :success?, err
    out
  end

  def with_lib_copy
    Dir.mktmpdir("kobako-lib") do |dir|
      FileUtils.cp_r(LIB, dir)
      yield File.join(dir, "lib")
    end
  end

  def test_the_library_loads_from_its_bytecode
    assert_equal "compiler dispatcher errors fiber_guard handle namespace sandbox thread_raises version",
                 run_with(LIB)
  end

  def test_an_edited_file_loads_from_its_source
    with_lib_copy do |lib|
      run_with(lib, "require_relative #{File.join(lib, 'kobako/bytecode').dump}; Kobako::Bytecode.write")
      File.write(File.join(lib, "kobako/namespace.rb"), "\nKobako::EDITED = true\n", mode: "a")

      script = "#{REPORT}; print ' ', Kobako::EDITED"
      assert_equal "compiler dispatcher errors fiber_guard handle sandbox thread_raises version true",
                   run_with(lib, script)
    end
  end

  def test_bytecode_compiled_elsewhere_is_not_used
    with_lib_copy do |lib|
      # The copy holds the repository's bytecode, compiled for other paths.
      assert_path_exists File.join(lib, "kobako/bytecode")
      assert_equal "", run_with(lib)
    end
  end
end
