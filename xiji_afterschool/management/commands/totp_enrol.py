"""Enrol a superuser's authenticator app for the admin's second factor: prints the otpauth:// link and its QR code."""

import segno
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from schools.models import User


class Command(BaseCommand):
    help = "Create (or with --replace, replace) the TOTP device of a staff user and print its QR code."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--replace", action="store_true", help="delete the user's existing TOTP devices first")

    def handle(self, *args, username, replace, **options):
        try:
            user = User.objects.get(username__iexact=username)
        except User.DoesNotExist as exc:
            raise CommandError(f"no user {username!r}") from exc
        if not user.is_staff:
            raise CommandError(f"{username!r} cannot use /admin/ (not staff)")
        devices = TOTPDevice.objects.filter(user=user)
        if devices.exists() and not replace:
            raise CommandError(f"{username!r} already has an authenticator: use --replace to enrol a new one")
        devices.delete()
        device = TOTPDevice.objects.create(user=user, name="admin", confirmed=True)
        qr = segno.make(device.config_url, error="m")
        qr.terminal(out=self.stdout._out, compact=True)
        self.stdout.write(device.config_url)
        self.stdout.write("Scan the code (or enter the link) in an authenticator app; then sign in to /admin/ with it.")
