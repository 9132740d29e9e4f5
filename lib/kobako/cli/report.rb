# frozen_string_literal: true

module Kobako
  class CLI
    # What `kobako --json` and `kobako --version` print.
    module Report
      module_function

      def json(stdout, stderr, value, error)
        report = { "value" => plain(value), "inspect" => error ? nil : value.inspect,
                   "stdout" => text(stdout), "stderr" => text(stderr), "error" => nil }
        report["error"] = error_fields(error) if error
        report
      end

      def error_fields(error)
        fields = { "class" => error.class.name, "message" => text(error.message) }
        fields["klass"] = error.klass if error.respond_to?(:klass)
        fields["backtrace"] = error.backtrace_lines if error.respond_to?(:backtrace_lines)
        fields["cap"] = error.cap.to_s if error.respond_to?(:cap)
        fields
      end

      # A JSON-safe copy: Symbols and non-finite Floats as Strings, binary
      # Strings read as Latin-1 (`inspect` keeps the exact value).
      def plain(value)
        case value
        when Hash then value.to_h { |k, v| [plain(k).to_s, plain(v)] }
        when Array then value.map { |v| plain(v) }
        when Symbol then value.to_s
        when Float then value.finite? ? value : value.to_s
        when String then text(value)
        else value
        end
      end

      def text(string)
        return string if string.encoding == Encoding::UTF_8 && string.valid_encoding?

        string.dup.force_encoding(Encoding::ISO_8859_1).encode(Encoding::UTF_8)
      end

      def version
        manifest = JSON.parse(File.read(File.join(Kobako.artifacts_dir, "manifest.json")))
        artifact = manifest["artifacts"].find { |a| a["target"].start_with?("#{RbConfig::CONFIG['host_cpu']}-") }
        mruby = Sandbox.new.eval("MRUBY_VERSION")
        "kobako #{VERSION} (mruby #{mruby}, Wasmer #{artifact&.fetch('wasmer')}, " \
          "artifact #{artifact&.fetch('file')} blake3 #{artifact&.fetch('blake3')&.slice(0, 16)})"
      end
    end
  end
end
