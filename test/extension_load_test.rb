# frozen_string_literal: true

require_relative "test_helper"
require "open3"
require "rbconfig"

# The native extension needs the classes lib/kobako defines first. Required
# on its own it must say so as a LoadError: a Rust panic there would be
# Ruby's `fatal`, which no rescue catches and which ends the process.
class ExtensionLoadTest < Minitest::Test
  LIB = File.expand_path("../lib", __dir__)

  def test_the_extension_required_alone_is_a_load_error_not_a_fatal
    script = 'begin; require "kobako/kobako"; rescue LoadError => e; print e.message; end'
    out, err, status = Open3.capture3(RbConfig.ruby, "-I#{LIB}", "-e", script)
    assert_predicate status, :success?, err
    assert_equal 'Kobako is not defined: require "kobako", not its native extension', out
  end

  # lib/kobako.rb loads the extension before the error classes (so the
  # artifact starts loading first); the classes are checked at the first
  # sandbox, which without them would have nothing to raise.
  def test_a_sandbox_without_the_library_is_a_load_error_too
    script = <<~RUBY
      module Kobako; end
      require "kobako/kobako"
      Kobako::Native.prepare(#{Kobako.artifacts_dir.dump})
      begin
        Kobako::Native::Sandbox.new(#{Kobako.artifacts_dir.dump}, [nil, nil, nil, 1024, 1024])
      rescue LoadError => e
        print e.message
      end
    RUBY
    out, err, status = Open3.capture3(RbConfig.ruby, "-I#{LIB}", "-e", script)
    assert_predicate status, :success?, err
    assert_match(/\AKobako::TrapError is not defined: require "kobako", not its native extension/, out)
  end
end
