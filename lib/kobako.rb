# frozen_string_literal: true

require_relative "kobako/version"
require_relative "kobako/errors"

# The native extension: a build for this Ruby's minor version if present
# (how platform gems ship), else the one `bin/setup` built.
begin
  require_relative "kobako/#{RUBY_VERSION[/\A\d+\.\d+/]}/kobako"
rescue LoadError
  require_relative "kobako/kobako"
end

require_relative "kobako/sandbox"

# Runs untrusted Ruby in an in-process WebAssembly sandbox: an mruby guest,
# compiled ahead of time, on Wasmer's headless engine.
module Kobako
  # Where the compiled guest and its manifest live. Override with
  # KOBAKO_ARTIFACTS_DIR.
  def self.artifacts_dir
    ENV.fetch("KOBAKO_ARTIFACTS_DIR") { File.expand_path("../artifacts", __dir__) }
  end
end
